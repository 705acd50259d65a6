"""Citizens' campaign topic subscriptions and opt-out, as chosen in the chat. The tables belong to
the campaigns side (migration 025_audience), which builds audiences from them and skips anyone
marked do_not_contact; this module only records the citizen's choices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clock import iso
from bot.conversations import citizens, forgotten
from bot.storage import Storage


def topics_of(storage: Storage, user_id: str) -> set[str]:
    with storage.connect() as db:
        return {row[0] for row in db.execute("SELECT topic FROM subscriptions WHERE user_id = ?", [user_id])}


def subscribe(storage: Storage, user_id: str, topic: str, now: datetime) -> bool:
    """True when newly subscribed. An explicit subscription is consent again, so it lifts a
    do-not-contact flag left by an earlier data deletion."""
    with storage.transaction() as db:
        added = db.execute("INSERT OR IGNORE INTO subscriptions (user_id, topic, subscribed_at) VALUES (?, ?, ?)",
                           [user_id, topic, iso(now)]).rowcount
        citizens.set_do_not_contact(db, user_id, False)
        forgotten.consent_again(db, user_id)
    return bool(added)


def unsubscribe(storage: Storage, user_id: str, topic: str | None = None) -> list[str]:
    """Leave one topic, or all of them (None); returns the topics left."""
    where, args = ("user_id = ?", [user_id]) if topic is None else ("user_id = ? AND topic = ?", [user_id, topic])
    with storage.transaction() as db:
        left = [row[0] for row in db.execute(f"SELECT topic FROM subscriptions WHERE {where} ORDER BY topic", args)]
        db.execute(f"DELETE FROM subscriptions WHERE {where}", args)
    return left


def do_not_contact(storage: Storage, user_id: str) -> None:
    """Keep the citizen out of every campaign audience, all-followers ones included."""
    with storage.connect() as db:
        citizens.set_do_not_contact(db, user_id, True)


def erase_user(db: Any, user_id: str) -> int:
    return db.execute("DELETE FROM subscriptions WHERE user_id = ?", [user_id]).rowcount
