"""Citizens whose data was deleted on request, kept only as a keyed hash of their Zalo id
(owner of `forgotten_users` and `forgotten_key`): one who comes back, or whom a follower import
lists again, stays do_not_contact until they subscribe again. See bot/conversations/erasure.py."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.clock import iso


def remember(db: Any, user_id: str, now: datetime) -> None:
    """Inside the erasure's transaction: the hash that keeps the citizen out of audiences."""
    db.execute("INSERT OR IGNORE INTO forgotten_users (user_hash, forgotten_at) VALUES (?, ?)",
               [_hash(db, user_id), iso(now)])


def among(db: Any, user_ids: Iterable[str]) -> list[str]:
    """Those of `user_ids` who had their data deleted (cheap when nobody ever did)."""
    if db.execute("SELECT 1 FROM forgotten_users LIMIT 1").fetchone() is None:
        return []
    return [user_id for user_id in user_ids
            if db.execute("SELECT 1 FROM forgotten_users WHERE user_hash = ?", [_hash(db, user_id)]).fetchone()]


def consent_again(db: Any, user_id: str) -> None:
    """An explicit subscription after a deletion: forget the do-not-contact hash as well."""
    db.execute("DELETE FROM forgotten_users WHERE user_hash = ?", [_hash(db, user_id)])


def _hash(db: Any, user_id: str) -> str:
    db.execute("INSERT OR IGNORE INTO forgotten_key (id, key) VALUES (1, ?)", [secrets.token_hex(32)])
    key = db.execute("SELECT key FROM forgotten_key WHERE id = 1").fetchone()[0]
    return hmac.new(bytes.fromhex(key), user_id.encode(), hashlib.sha256).hexdigest()
