"""A citizen's request to delete their data, Law 91/2025/QH15: typed in the chat ("xóa dữ liệu
của tôi") or sent by Zalo (`user_withdraw`).

Deleted: received messages, replies sent, answer log, ratings, subscriptions, tags, flow state,
handoffs, campaign delivery records and the citizen's row in `users`. Kept, with the link to the
person cut: the feedback tickets' subject and content (the agency must still handle them), and
the days already counted in the report (`report_people`, under a number no new citizen gets).
Kept instead of the Zalo id: a keyed hash in `forgotten_users`, so that a citizen who comes back,
or whom a follower import lists again, is `do_not_contact` again (`mark_if_forgotten`) rather than
put back into campaign audiences. The message being handled right now (and any not yet handled) is
left to the retention purge, unless it is named as `handled` (a withdrawal, which gets no reply);
a delivery being sent this instant stays too. docs/privacy.md is the citizen-facing account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot import tickets
from bot.clock import iso
from bot.reports import rollup
from bot.storage import Storage

_DELETES = {
    "messages": "DELETE FROM inbox WHERE user_id = ? AND status IN ('done', 'ignored', 'failed')",
    "replies": "DELETE FROM outgoing WHERE user_id = ? AND status NOT IN ('queued', 'sending')",
    "answers": "DELETE FROM answer_log WHERE user_id = ?",
    "ratings": "DELETE FROM ratings WHERE user_id = ?",
    "subscriptions": "DELETE FROM subscriptions WHERE user_id = ?",
    "tags": "DELETE FROM user_tags WHERE user_id = ?",
    "state": "DELETE FROM conversation_state WHERE user_id = ?",
    "handoffs": "DELETE FROM handoffs WHERE user_id = ?",
    "flood": "DELETE FROM flood_notes WHERE user_id = ?",
    "campaign_deliveries": "DELETE FROM campaign_deliveries WHERE user_id = ? AND status != 'sending'",
}


def erase(storage: Storage, user_id: str, now: datetime, *, handled: str = "") -> dict[str, int]:
    """Delete in one transaction (all or nothing); returns how many rows of each kind went.
    `handled`: the dedupe key of the event asking for it, deleted too (it needs no reply)."""
    with storage.transaction() as db:
        counts = {kind: db.execute(sql, [user_id]).rowcount for kind, sql in _DELETES.items()}
        if handled:
            counts["messages"] += db.execute("DELETE FROM inbox WHERE dedupe_key = ?", [handled]).rowcount
        db.execute(
            "UPDATE ticket_replies SET status = 'failed', error = 'citizen deleted their data'"
            " WHERE status = 'held' AND ticket_id IN (SELECT id FROM tickets WHERE user_id = ?)", [user_id])
        counts["tickets"] = tickets.anonymise(db, "user_id = ?", [user_id], now)
        person = db.execute("SELECT rowid FROM users WHERE user_id = ?", [user_id]).fetchone()
        if person:
            rollup.forget_person(db, person[0])
        counts["profile"] = db.execute("DELETE FROM users WHERE user_id = ?", [user_id]).rowcount
        db.execute("INSERT OR IGNORE INTO forgotten_users (user_hash, forgotten_at) VALUES (?, ?)",
                   [_hash(db, user_id), iso(now)])
    return counts


def mark_if_forgotten(db: Any, user_ids: Iterable[str]) -> None:
    """Inside the caller's transaction, after it wrote `users` rows: citizens who had their data
    deleted stay do_not_contact, until they subscribe again (`consent_again`)."""
    if db.execute("SELECT 1 FROM forgotten_users LIMIT 1").fetchone() is None:
        return
    for user_id in user_ids:
        if db.execute("SELECT 1 FROM forgotten_users WHERE user_hash = ?", [_hash(db, user_id)]).fetchone():
            db.execute("UPDATE users SET do_not_contact = 1 WHERE user_id = ?", [user_id])


def consent_again(db: Any, user_id: str) -> None:
    """An explicit subscription after a deletion: forget the do-not-contact hash as well."""
    db.execute("DELETE FROM forgotten_users WHERE user_hash = ?", [_hash(db, user_id)])


def _hash(db: Any, user_id: str) -> str:
    db.execute("INSERT OR IGNORE INTO forgotten_key (id, key) VALUES (1, ?)", [secrets.token_hex(32)])
    key = db.execute("SELECT key FROM forgotten_key WHERE id = 1").fetchone()[0]
    return hmac.new(bytes.fromhex(key), user_id.encode(), hashlib.sha256).hexdigest()
