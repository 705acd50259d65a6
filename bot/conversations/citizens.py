"""Citizens known to the OA: follow state and the last interaction, which decides Zalo's
7-day consultation window (and its free 48-hour part)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bot.clock import iso
from bot.conversations import forgotten
from bot.storage import Storage, executemany


def _iso_from_ms(timestamp_ms: int) -> str:
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC).isoformat(timespec="milliseconds")


def record_interaction(storage: Storage, user_id: str, timestamp_ms: int) -> None:
    """Zalo counts messages, follows, chat-button taps and button clicks as interactions."""
    at = _iso_from_ms(timestamp_ms)
    with storage.transaction() as db:
        db.execute(
            "INSERT INTO users (user_id, first_interaction_at, last_interaction_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE"
            " SET last_interaction_at = max(coalesce(last_interaction_at, ''), excluded.last_interaction_at)",
            [user_id, at, at],
        )
        mark_if_forgotten(db, [user_id])


def set_following(storage: Storage, user_id: str, following: bool, timestamp_ms: int) -> None:
    at = _iso_from_ms(timestamp_ms)
    column = "followed_at" if following else "unfollowed_at"
    with storage.transaction() as db:
        db.execute(
            f"INSERT INTO users (user_id, followed, {column}) VALUES (?, ?, ?)"
            f" ON CONFLICT (user_id) DO UPDATE SET followed = excluded.followed, {column} = excluded.{column}",
            [user_id, int(following), at],
        )
        mark_if_forgotten(db, [user_id])


def get(storage: Storage, user_id: str) -> dict | None:
    with storage.connect() as db:
        rows = list(db.query("SELECT * FROM users WHERE user_id = ?", [user_id]))
    return rows[0] if rows else None


def count_followers(storage: Storage) -> int:
    with storage.connect() as db:
        return db.execute("SELECT count(*) FROM users WHERE followed = 1").fetchone()[0]


def last_interaction_at(db: Any, user_id: str) -> str | None:
    """Inside the caller's unit of work: when the citizen last interacted (ISO, UTC), if ever."""
    row = db.execute("SELECT last_interaction_at FROM users WHERE user_id = ?", [user_id]).fetchone()
    return row[0] if row else None


def set_do_not_contact(db: Any, user_id: str, flag: bool) -> None:
    """Inside the caller's unit of work: keep the citizen out of (or let them back into) campaign audiences."""
    db.execute("UPDATE users SET do_not_contact = ? WHERE user_id = ?", [int(flag), user_id])


def mark_if_forgotten(db: Any, user_ids: Iterable[str]) -> None:
    """Inside the caller's transaction, after it wrote `users` rows: citizens who had their data
    deleted stay do_not_contact, until they subscribe again (`forgotten.consent_again`)."""
    for user_id in forgotten.among(db, user_ids):
        set_do_not_contact(db, user_id, True)


def erase_user(db: Any, user_id: str) -> int:
    return db.execute("DELETE FROM users WHERE user_id = ?", [user_id]).rowcount


def add_followers(storage: Storage, user_ids: list[str], now: datetime) -> int:
    """A follower import: every listed citizen follows (keeping the first follow time); returns
    how many were new to the OA's records."""
    with storage.transaction() as db:
        before = db.execute("SELECT count(*) FROM users").fetchone()[0]
        executemany(
            db,
            "INSERT INTO users (user_id, followed, followed_at) VALUES (?, 1, ?) ON CONFLICT (user_id)"
            " DO UPDATE SET followed = 1, followed_at = coalesce(followed_at, excluded.followed_at)",
            [(uid, iso(now)) for uid in user_ids])
        mark_if_forgotten(db, user_ids)  # a citizen who had their data deleted stays out
        return db.execute("SELECT count(*) FROM users").fetchone()[0] - before


def unfollow_all_but(storage: Storage, user_ids: list[str], now: datetime) -> int:
    """After a complete follower list: everyone else marked as following no longer does."""
    with storage.transaction() as db:
        db.execute("CREATE TEMP TABLE listed (user_id TEXT PRIMARY KEY)")
        executemany(db, "INSERT OR IGNORE INTO listed VALUES (?)", [(uid,) for uid in user_ids])
        count = db.execute("UPDATE users SET followed = 0, unfollowed_at = ? WHERE followed = 1"
                           " AND user_id NOT IN (SELECT user_id FROM listed)", [iso(now)]).rowcount
        db.execute("DROP TABLE listed")
    return int(count)


def update_profile(storage: Storage, user_id: str, display_name: str | None, last_interaction_at: str | None) -> None:
    """What Zalo's user detail says: the name, and a last interaction that only moves forward."""
    with storage.connect() as db:
        db.execute("UPDATE users SET display_name = coalesce(?, display_name),"
                   " last_interaction_at = CASE WHEN ? > coalesce(last_interaction_at, '') THEN ?"
                   " ELSE last_interaction_at END WHERE user_id = ?",
                   [display_name, last_interaction_at, last_interaction_at, user_id])


def person_of(db: Any, user_id: str) -> int | None:
    """The citizen's row number: who the report's "distinct people" counts, without the Zalo id."""
    row = db.execute("SELECT rowid FROM users WHERE user_id = ?", [user_id]).fetchone()
    return row[0] if row else None
