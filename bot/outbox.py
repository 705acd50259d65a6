"""Transactional outbox for replies: record what to send, then deliver each row exactly once.

Rows are written before any send; a row moves queued → sending → sent/failed/sandbox with a
compare-and-set, so two workers (or a restart) never send it twice. A row found in `sending`
after a crash is *ambiguous* (Zalo may have delivered it and takes no idempotency key): it is
marked so and, by policy, not re-sent — a duplicate answer is worse than a missing one that the
citizen can ask again.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.clock import iso, utc_now
from bot.log_ids import user_ref
from bot.storage import Storage
from bot.zalo.errors import ErrorKind, ZaloError

log = logging.getLogger(__name__)


class Outbox:
    def __init__(self, storage: Storage, zalo: Any, log_key: str = ""):
        self.storage = storage
        self.zalo = zalo
        self.log_key = log_key

    @staticmethod
    def record(db: Any, user_id: str, messages: list[dict[str, Any]], *, inbox_id: int | None = None,
               purpose: str = "reply") -> list[int]:
        """Queue messages inside the caller's transaction; replays of the same event add nothing.
        Returns the ids of the rows written, in order, for callers that deliver them at once."""
        now = iso(utc_now())
        ids = []
        for seq, message in enumerate(messages):
            cursor = db.execute(
                "INSERT OR IGNORE INTO outgoing (inbox_id, seq, user_id, purpose, body, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, 'queued', ?)",
                [inbox_id, seq, user_id, purpose, json.dumps(message, ensure_ascii=False), now],
            )
            if cursor.rowcount:
                ids.append(cursor.lastrowid)
        return ids

    def messages_for_event(self, inbox_id: int) -> list[dict[str, Any]]:
        """The replies recorded for one event, in order (what the chat command prints)."""
        with self.storage.connect() as db:
            rows = db.execute("SELECT body FROM outgoing WHERE inbox_id = ? ORDER BY seq", [inbox_id]).fetchall()
        return [json.loads(body) for (body,) in rows]

    def error_code(self, row_id: int) -> int | None:
        """Zalo's error code for a row that was not delivered (None when there was none)."""
        with self.storage.connect() as db:
            row = db.execute("SELECT error_code FROM outgoing WHERE id = ?", [row_id]).fetchone()
        return row[0] if row else None

    def deliver_for_event(self, inbox_id: int) -> None:
        with self.storage.connect() as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM outgoing WHERE inbox_id = ? AND status = 'queued' ORDER BY seq", [inbox_id])]
        for row_id in ids:
            if not self.deliver(row_id):
                self._abandon_rest(inbox_id)  # a later part alone would not make sense to the citizen
                return

    def _abandon_rest(self, inbox_id: int) -> None:
        with self.storage.transaction() as db:
            db.execute("UPDATE outgoing SET status = 'failed', error = 'an earlier part was not delivered', sent_at = ?"
                       " WHERE inbox_id = ? AND status = 'queued'", [iso(utc_now()), inbox_id])

    def deliver(self, row_id: int) -> bool:
        """Send one queued row. True when it was sent (or recorded in the sandbox)."""
        with self.storage.transaction() as db:
            claimed = db.execute(
                "UPDATE outgoing SET status = 'sending', sent_at = ? WHERE id = ? AND status = 'queued'", [iso(utc_now()), row_id]
            ).rowcount
            row = db.execute("SELECT user_id, body FROM outgoing WHERE id = ?", [row_id]).fetchone()
        if not claimed:
            return False
        user_id, body = row
        try:
            message_id = self.zalo.send_message(user_id, json.loads(body))
        except ZaloError as exc:
            status = "ambiguous" if exc.kind is ErrorKind.AMBIGUOUS else "failed"
            self._finish(row_id, status, error_code=exc.code, error=exc.message)
            log.warning("reply %d to %s %s: %s", row_id, user_ref(user_id, self.log_key), status, exc)
            return False
        self._finish(row_id, "sandbox" if getattr(self.zalo, "sandbox", False) else "sent", message_id=message_id)
        return True

    def mark_interrupted(self, inbox_id: int) -> int:
        """An event taken over from a stopped worker: its rows still `sending` were cut off mid-call.
        Record the ambiguity; do not resend."""
        with self.storage.transaction() as db:
            return db.execute(
                "UPDATE outgoing SET status = 'ambiguous', error = 'worker stopped while sending'"
                " WHERE inbox_id = ? AND status = 'sending'", [inbox_id]).rowcount

    def _finish(self, row_id: int, status: str, *, message_id: str | None = None,
                error_code: int | None = None, error: str | None = None) -> None:
        with self.storage.transaction() as db:
            db.execute(
                "UPDATE outgoing SET status = ?, zalo_message_id = ?, error_code = ?, error = ?, sent_at = ? WHERE id = ?",
                [status, message_id, error_code, error, iso(utc_now()), row_id],
            )


def report_counts(db: Any, start: str, end: str) -> dict[str, int]:
    """Messages sent to citizens outside campaigns (answers, staff replies) in [start, end), and how
    many Zalo reported received or seen (`message_events`, bot/reports/engagement.py)."""
    row = db.execute(
        "SELECT count(*),"
        " coalesce(sum(EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = o.zalo_message_id"
        "   AND e.kind IN ('received', 'seen'))), 0),"
        " coalesce(sum(EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = o.zalo_message_id"
        "   AND e.kind = 'seen')), 0)"
        " FROM outgoing o WHERE o.created_at >= ? AND o.created_at < ? AND o.status = 'sent'"
        " AND o.zalo_message_id IS NOT NULL", [start, end]).fetchone()
    return {"sent": row[0], "received": row[1], "seen": row[2]}


def sent_to(storage: Storage, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """Messages the bot queued for this citizen (answers, staff replies, campaigns), newest first."""
    with storage.connect() as db:
        rows = db.execute("SELECT created_at, purpose, status, body FROM outgoing WHERE user_id = ?"
                          " ORDER BY id DESC LIMIT ?", [user_id, limit]).fetchall()
    found = []
    for created_at, purpose, status, body in rows:
        try:
            message = json.loads(body)
        except ValueError:
            message = {}
        text = message.get("text") or "[tin có hình ảnh/đính kèm]"
        found.append({"at": created_at, "from": "bot" if purpose == "reply" else purpose, "status": status, "text": text})
    return found


def erase_user(db: Any, user_id: str) -> int:
    """A deletion request: replies to the citizen, except one being delivered right now."""
    return db.execute("DELETE FROM outgoing WHERE user_id = ? AND status NOT IN ('queued', 'sending')",
                      [user_id]).rowcount


def purge(db: Any, cutoff: str) -> int:
    """Blank the bodies of messages created before `cutoff`; their delivery status stays, for statistics."""
    return db.execute("UPDATE outgoing SET body = '{}' WHERE created_at < ? AND status NOT IN ('queued', 'sending')"
                      " AND body != '{}'", [cutoff]).rowcount
