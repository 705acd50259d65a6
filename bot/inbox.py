"""Durable inbox: the webhook writes each event here before acknowledging Zalo.

Workers claim events one at a time (never two of the same citizen at once, so replies keep their
order), with a lease: an event claimed by a process that died is claimed again once the lease
runs out, or at once when its claimer is known to be gone (same host, dead pid).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.clock import iso, utc_now
from bot.events import Event
from bot.lease import HOST, holder_gone, new_holder
from bot.storage import Storage


@dataclass(frozen=True)
class InboxItem:
    id: int
    payload: dict[str, Any]
    status: str  # the status before this claim: 'pending', or 'replying' when replies were already recorded


class Inbox:
    def __init__(self, storage: Storage, lease_seconds: float = 120.0):
        self.storage = storage
        self.lease = timedelta(seconds=lease_seconds)
        self.claimer = new_holder()

    def add(self, event: Event, body: str, status: str = "pending") -> bool:
        """Store the event's JSON `body` as received; True when the event is new, False for a
        redelivery (same dedupe key), which is ignored.

        One autocommit statement, atomic on its own: on the webhook's hot path a multi-statement
        transaction behind the in-process write lock made request threads queue on each other
        (1,167 vs 348 acknowledgements/s with 8 concurrent senders, bench/webhook_bench.py)."""
        inserted = self.storage.write(
            "INSERT OR IGNORE INTO inbox (dedupe_key, event_name, user_id, event_time_ms, payload, status, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [event.dedupe_key, event.name, event.user_id, event.timestamp_ms,
             body, status, iso(utc_now())],
        )
        return bool(inserted)

    def claim(self) -> InboxItem | None:
        now = utc_now()
        with self.storage.transaction() as db:
            row = db.execute(
                "SELECT id, payload, status FROM inbox i WHERE (status = 'pending'"
                "   OR (status IN ('processing', 'replying') AND claimed_at < ?))"
                " AND NOT EXISTS (SELECT 1 FROM inbox o WHERE o.user_id = i.user_id AND o.id != i.id"
                "   AND o.status IN ('processing', 'replying') AND o.claimed_at >= ?)"
                " ORDER BY id LIMIT 1",
                [iso(now - self.lease), iso(now - self.lease)],
            ).fetchone()
            if row is None:
                return None
            status = "replying" if row[2] == "replying" else "processing"
            db.execute(
                "UPDATE inbox SET status = ?, claimed_at = ?, claimed_by = ?, attempts = attempts + 1 WHERE id = ?",
                [status, iso(now), self.claimer, row[0]],
            )
        return InboxItem(id=row[0], payload=json.loads(row[1]), status=row[2])

    def mark(self, item_id: int, status: str, error: str | None = None) -> None:
        with self.storage.transaction() as db:
            db.execute(
                "UPDATE inbox SET status = ?, processed_at = ?, error = ? WHERE id = ?",
                [status, iso(utc_now()), error, item_id],
            )

    def release_dead_claims(self) -> int:
        """At start-up: events claimed by a process on this host that no longer runs go back to the queue."""
        released = 0
        with self.storage.transaction() as db:
            rows = db.execute(
                "SELECT id, claimed_by FROM inbox WHERE status IN ('processing', 'replying') AND claimed_by LIKE ?", [f"{HOST}:%"]
            ).fetchall()
            for item_id, claimer in rows:
                if holder_gone(claimer):
                    db.execute("UPDATE inbox SET claimed_at = '' WHERE id = ?", [item_id])
                    released += 1
        return released

    def counts(self) -> dict[str, int]:
        with self.storage.connect() as db:
            return dict(db.execute("SELECT status, count(*) FROM inbox GROUP BY status").fetchall())

    def attempts(self, item_id: int) -> int:
        """How many times this event was claimed: the worker gives up after a few."""
        with self.storage.connect() as db:
            return int(db.execute("SELECT attempts FROM inbox WHERE id = ?", [item_id]).fetchone()[0])

    def id_of(self, dedupe_key: str) -> int:
        """The row of an event already added (the chat command processes it at once)."""
        with self.storage.connect() as db:
            return int(db.execute("SELECT id FROM inbox WHERE dedupe_key = ?", [dedupe_key]).fetchone()[0])

def mark_replying(db: Any, item_id: int) -> None:
    """Inside the transaction that records the event's replies: from now on a retry delivers
    them and never runs the handlers again."""
    db.execute("UPDATE inbox SET status = 'replying' WHERE id = ?", [item_id])


_DAY = "strftime('%Y-%m-%d', received_at, ?)"
_USER_MESSAGE = r"event_name LIKE 'user\_send\_%' ESCAPE '\'"


def report_facts(db: Any, start: str, end: str, shift: str) -> list[tuple[str, str, str, int]]:
    """Per local day: citizens' messages received, follows and unfollows. Counted by the time the
    bot stored them (not Zalo's event time), so a late retry never changes a day already rolled up
    (bot/reports/rollup.py)."""
    return [tuple(row) for row in db.execute(
        f"SELECT {_DAY}, CASE WHEN event_name = 'follow' THEN 'followers.new' WHEN event_name = 'unfollow'"
        " THEN 'followers.unfollowed' ELSE 'messages.received' END, '', count(*) FROM inbox"
        f" WHERE received_at >= ? AND received_at < ? AND ({_USER_MESSAGE} OR event_name IN ('follow', 'unfollow'))"
        " GROUP BY 1, 2", [shift, start, end]).fetchall()]


def report_people(db: Any, start: str, end: str, shift: str) -> list[tuple[str, int]]:
    """(local day, person) for everyone who wrote or tapped a button: the person is the row number
    of the citizen in `users`, so counting distinct people needs no Zalo id."""
    return [tuple(row) for row in db.execute(
        f"SELECT DISTINCT {_DAY}, u.rowid FROM inbox i JOIN users u ON u.user_id = i.user_id"
        f" WHERE i.received_at >= ? AND i.received_at < ? AND {_USER_MESSAGE}", [shift, start, end]).fetchall()]


def conversation(storage: Storage, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """What this citizen sent and staff echoed from the OA inbox (oa_send_*), newest first, for the
    console's handoff view; bodies exist only within the retention period."""
    with storage.connect() as db:
        rows = db.execute("SELECT received_at, event_name, payload FROM inbox WHERE user_id = ? AND"
                          " (event_name LIKE 'user_send_%' OR event_name LIKE 'oa_send_%') ORDER BY id DESC LIMIT ?",
                          [user_id, limit]).fetchall()
    found = []
    for received_at, name, payload in rows:
        try:
            message = json.loads(payload).get("message") or {}
        except ValueError:
            message = {}
        text = message.get("text") or ("[" + name.removeprefix("user_send_").removeprefix("oa_send_") + "]")
        found.append({"at": received_at, "from": "staff" if name.startswith("oa_send_") else "citizen", "text": text})
    return found


def questions_per_day(storage: Storage, since: str, offset_minutes: int) -> dict[str, int]:
    """Text messages citizens sent since `since`, per local day (`offset_minutes` from UTC): the dashboard."""
    with storage.connect() as db:
        return dict(db.execute(
            "SELECT date(received_at, ? || ' minutes'), count(*) FROM inbox WHERE event_name = 'user_send_text'"
            " AND received_at >= ? GROUP BY 1", [str(offset_minutes), since]).fetchall())


def typed_since(storage: Storage, user_id: str | None, since_ms: int, dedupe_key: str) -> int:
    """Messages this citizen typed after `since_ms` (Zalo time), up to and including the event
    `dedupe_key`; button taps (`#…` texts) do not count. Used by flood detection."""
    with storage.connect() as db:
        row = db.execute(
            f"SELECT count(*) FROM inbox WHERE user_id = ? AND {_USER_MESSAGE}"
            " AND coalesce(json_extract(payload, '$.message.text'), '') NOT LIKE '#%'"
            " AND event_time_ms > ? AND id <= (SELECT id FROM inbox WHERE dedupe_key = ?)",
            [user_id, since_ms, dedupe_key]).fetchone()
    return int(row[0])


def erase_user(db: Any, user_id: str) -> int:
    """A deletion request: the citizen's handled events (one not yet handled is left to the purge)."""
    return db.execute("DELETE FROM inbox WHERE user_id = ? AND status IN ('done', 'ignored', 'failed')", [user_id]).rowcount


def erase_event(db: Any, dedupe_key: str) -> int:
    return db.execute("DELETE FROM inbox WHERE dedupe_key = ?", [dedupe_key]).rowcount


def purge(db: Any, cutoff: str) -> int:
    """Handled events received before `cutoff` (ISO, UTC)."""
    return db.execute("DELETE FROM inbox WHERE received_at < ? AND status IN ('done', 'ignored', 'failed')",
                      [cutoff]).rowcount
