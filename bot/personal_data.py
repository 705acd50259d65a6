"""A citizen's request to delete their data ("xóa dữ liệu của tôi"), Law 91/2025/QH15.

Deleted: received messages, replies sent, answer log, ratings, subscriptions, tags, flow state,
handoffs, campaign delivery records and the profile fields and timestamps. Kept, with the link to
the person cut: the feedback tickets' subject and content (the agency must still handle them).
Kept on purpose: the bare Zalo id, its follow flag and `do_not_contact`, because forgetting them
would put the citizen back into campaign audiences. The message being handled right now (and any
not yet handled) is left to the retention purge; a delivery being sent this instant stays too.
docs/privacy.md is the citizen-facing account of this.
"""

from __future__ import annotations

from datetime import datetime

from bot import tickets
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


def erase(storage: Storage, user_id: str, now: datetime) -> dict[str, int]:
    """Delete in one transaction (all or nothing); returns how many rows of each kind went."""
    with storage.transaction() as db:
        counts = {kind: db.execute(sql, [user_id]).rowcount for kind, sql in _DELETES.items()}
        db.execute(
            "UPDATE ticket_replies SET status = 'failed', error = 'citizen deleted their data'"
            " WHERE status = 'held' AND ticket_id IN (SELECT id FROM tickets WHERE user_id = ?)", [user_id])
        counts["tickets"] = tickets.anonymise(db, "user_id = ?", [user_id], now)
        db.execute("UPDATE users SET display_name = NULL, first_interaction_at = NULL, last_interaction_at = NULL,"
                   " followed_at = NULL, unfollowed_at = NULL, do_not_contact = 1 WHERE user_id = ?", [user_id])
    return counts
