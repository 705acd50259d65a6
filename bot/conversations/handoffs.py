"""Conversations handed to staff. While a handoff is open the bot stays silent for that citizen;
staff messages from the OA inbox (seen as oa_send_* echoes) keep it open; it closes when staff
close it, the citizen returns to the bot, or staff stay silent for the configured timeout.
Timeouts are applied lazily, whenever a handoff is looked at, so no timer thread is needed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.clock import iso
from bot.config import Config
from bot.storage import Storage


def timeout(config: Config) -> timedelta:
    """How long staff may stay silent before the handoff ends and the bot speaks again: the one
    reading of `conversations.handoff_timeout_hours`, for the handlers, the staff tools and jobs."""
    return timedelta(hours=config.conversations.handoff_timeout_hours)


def open_handoff(storage: Storage, user_id: str, now: datetime) -> bool:
    """Flag the conversation; False when one was already open (its clock restarts)."""
    with storage.transaction() as db:
        touched = db.execute("UPDATE handoffs SET last_activity_at = ? WHERE user_id = ? AND status = 'open'",
                             [iso(now), user_id]).rowcount
        if not touched:
            db.execute("INSERT INTO handoffs (user_id, opened_at, last_activity_at) VALUES (?, ?, ?)",
                       [user_id, iso(now), iso(now)])
    return not touched


def expire(storage: Storage, now: datetime, timeout: timedelta, user_id: str | None = None) -> int:
    """Close handoffs whose staff have been silent for `timeout` (all, or one citizen's)."""
    where, args = ("", []) if user_id is None else (" AND user_id = ?", [user_id])
    condition = f"status = 'open' AND last_activity_at < ?{where}"
    with storage.connect() as db:
        if not db.execute(f"SELECT 1 FROM handoffs WHERE {condition} LIMIT 1", [iso(now - timeout), *args]).fetchone():
            return 0  # the common case, read-only: no write lock for every citizen message
        return db.execute(f"UPDATE handoffs SET status = 'closed', closed_at = ?, closed_by = 'timeout' WHERE {condition}",
                          [iso(now), iso(now - timeout), *args]).rowcount


def is_open(storage: Storage, user_id: str, now: datetime, timeout: timedelta) -> bool:
    expire(storage, now, timeout, user_id)
    with storage.connect() as db:
        return db.execute("SELECT 1 FROM handoffs WHERE user_id = ? AND status = 'open'", [user_id]).fetchone() is not None


def touch(storage: Storage, user_id: str, now: datetime, timeout: timedelta) -> bool:
    """A staff message to this citizen: keep an open handoff alive. True when one was open."""
    expire(storage, now, timeout, user_id)
    with storage.connect() as db:
        return bool(db.execute("UPDATE handoffs SET last_activity_at = ?, first_staff_at = coalesce(first_staff_at, ?)"
                               " WHERE user_id = ? AND status = 'open'", [iso(now), iso(now), user_id]).rowcount)


def close(storage: Storage, user_id: str, now: datetime, by: str) -> bool:
    """End the open handoff; a citizen who ended it themselves needs no notice later."""
    with storage.connect() as db:
        return bool(db.execute(
            "UPDATE handoffs SET status = 'closed', closed_at = ?, closed_by = ?, notified = ?"
            " WHERE user_id = ? AND status = 'open'", [iso(now), by, int(by == "citizen"), user_id]).rowcount)


def take_ended(storage: Storage, user_id: str) -> bool:
    """True once after a handoff ended without the citizen's doing: time to say the bot is back."""
    condition = "user_id = ? AND status = 'closed' AND notified = 0"
    with storage.connect() as db:
        if not db.execute(f"SELECT 1 FROM handoffs WHERE {condition} LIMIT 1", [user_id]).fetchone():
            return False
        return bool(db.execute(f"UPDATE handoffs SET notified = 1 WHERE {condition}", [user_id]).rowcount)


def listing(storage: Storage, now: datetime, timeout: timedelta, include_closed: bool = False) -> list[dict[str, Any]]:
    expire(storage, now, timeout)
    where = "" if include_closed else "WHERE h.status = 'open'"
    with storage.connect() as db:
        return list(db.query(
            "SELECT h.id, h.user_id, u.display_name, h.status, h.opened_at, h.last_activity_at, h.closed_at,"
            f" h.closed_by FROM handoffs h LEFT JOIN users u ON u.user_id = h.user_id {where}"
            " ORDER BY h.id DESC LIMIT 200"))


def report_facts(db: Any, start: str, end: str, shift: str) -> list[tuple[str, str, str, int]]:
    """Per local day (`shift` is the SQLite offset of the local time): handoffs opened, and the
    wait for the first staff message in whole minutes, counted on the day staff answered (a day
    once rolled up never changes). For bot/reports/rollup.py."""
    day = "strftime('%Y-%m-%d', {}, ?)"
    opened = db.execute(f"SELECT {day.format('opened_at')}, 'handoffs.opened', '', count(*) FROM handoffs"
                        " WHERE opened_at >= ? AND opened_at < ? GROUP BY 1", [shift, start, end]).fetchall()
    waits = db.execute(f"SELECT {day.format('first_staff_at')}, 'handoffs.wait_minutes',"
                       " CAST(CAST((julianday(first_staff_at) - julianday(opened_at)) * 1440 AS INTEGER) AS TEXT), count(*)"
                       " FROM handoffs WHERE first_staff_at >= ? AND first_staff_at < ? GROUP BY 1, 3",
                       [shift, start, end]).fetchall()
    return [tuple(row) for row in (*opened, *waits)]


def ended_since(db: Any, since: str) -> list[tuple[int, str]]:
    """(id, user id) of the handoffs closed since `since`, for the satisfaction survey."""
    return [tuple(r) for r in db.execute("SELECT id, user_id FROM handoffs WHERE status = 'closed' AND closed_at >= ?",
                                         [since]).fetchall()]


def owner_of(db: Any, handoff_id: int) -> str | None:
    row = db.execute("SELECT user_id FROM handoffs WHERE id = ?", [handoff_id]).fetchone()
    return row[0] if row else None


def count_open(storage: Storage) -> int:
    with storage.connect() as db:
        return db.execute("SELECT count(*) FROM handoffs WHERE status = 'open'").fetchone()[0]


def erase_user(db: Any, user_id: str) -> int:
    return db.execute("DELETE FROM handoffs WHERE user_id = ?", [user_id]).rowcount


def purge(db: Any, cutoff: str) -> int:
    """Handoffs closed before `cutoff`."""
    return db.execute("DELETE FROM handoffs WHERE status = 'closed' AND closed_at < ?", [cutoff]).rowcount
