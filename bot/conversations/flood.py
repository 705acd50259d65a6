"""Flood detection from the inbox itself: how many messages this citizen typed in the window up to
and including this one. Counting up to this event's own inbox row (not "now") keeps the answer
the same however far behind the workers are. Button clicks do not count: browsing the menu
quickly is not flooding."""

from __future__ import annotations

from typing import Any

from bot import inbox
from bot.events import Event
from bot.storage import Storage


def burst_size(storage: Storage, event: Event, window_seconds: float) -> int:
    since = event.timestamp_ms - int(window_seconds * 1000)
    return inbox.typed_since(storage, event.user_id, since, event.dedupe_key)


def claim_note(storage: Storage, event: Event, window_seconds: float) -> bool:
    """True (and remembered) when this citizen was not asked to slow down within the window."""
    since = event.timestamp_ms - int(window_seconds * 1000)
    with storage.connect() as db:
        return bool(db.execute(
            "INSERT INTO flood_notes (user_id, noted_at_ms) VALUES (?, ?) ON CONFLICT (user_id)"
            " DO UPDATE SET noted_at_ms = excluded.noted_at_ms WHERE flood_notes.noted_at_ms <= ?",
            [event.user_id, event.timestamp_ms, since]).rowcount)


def erase_user(db: Any, user_id: str) -> int:
    return db.execute("DELETE FROM flood_notes WHERE user_id = ?", [user_id]).rowcount


def purge(db: Any, cutoff_ms: int) -> int:
    """Notes older than `cutoff_ms` (Zalo time)."""
    return db.execute("DELETE FROM flood_notes WHERE noted_at_ms < ?", [cutoff_ms]).rowcount
