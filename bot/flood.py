"""Flood detection from the inbox itself: how many messages this citizen sent in the window up to
and including this one. Counting up to this event's own inbox row (not "now") keeps the answer
the same however far behind the workers are, so a burst gets exactly one slow-down note."""

from __future__ import annotations

from bot.events import Event
from bot.storage import Storage


def position_in_burst(storage: Storage, event: Event, window_seconds: float) -> int:
    since = event.timestamp_ms - int(window_seconds * 1000)
    with storage.connect() as db:
        row = db.execute(
            "SELECT count(*) FROM inbox WHERE user_id = ? AND event_name LIKE 'user\\_send\\_%' ESCAPE '\\'"
            " AND event_time_ms > ? AND id <= (SELECT id FROM inbox WHERE dedupe_key = ?)",
            [event.user_id, since, event.dedupe_key]).fetchone()
    return int(row[0])
