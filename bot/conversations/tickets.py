"""Feedback tickets (phản ánh, kiến nghị): the store behind the citizen's feedback flow and the
staff tools. Codes look like PA-2025-000123: a per-year sequence, so they are short enough to type
in "tra cứu PA-2025-000123" and never reused, even after a ticket is anonymised."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import iso
from bot.storage import Storage

STATUSES = ("open", "answered", "closed")
STATUS_LABELS = {
    "open": "Đã tiếp nhận, đang chờ xử lý",
    "answered": "Cán bộ đã phản hồi, đang tiếp tục xử lý",
    "closed": "Đã xử lý xong",
}


@dataclass(frozen=True)
class Ticket:
    id: int
    code: str
    user_id: str | None
    topic: str
    content: str
    attachments: tuple[str, ...]
    contact_name: str | None
    contact_phone: str | None
    status: str
    created_at: str
    updated_at: str
    closed_at: str | None

    def to_json(self) -> dict[str, Any]:
        """For the admin API and `tickets show --json`."""
        return {**self.__dict__, "attachments": list(self.attachments), "status_label": STATUS_LABELS[self.status]}


_COLUMNS = ("id, code, user_id, topic, content, attachments, contact_name, contact_phone, status,"
            " created_at, updated_at, closed_at")


def _ticket(row: Any) -> Ticket:
    values = list(row)
    values[5] = tuple(json.loads(values[5]))
    return Ticket(*values)


def create(storage: Storage, user_id: str, draft: dict[str, Any], now: datetime) -> Ticket:
    """A ticket from a confirmed feedback draft (topic, content, attachments, contact)."""
    year = now.year
    contact = draft.get("contact") or {}
    with storage.transaction() as db:
        seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM tickets WHERE year = ?", [year]).fetchone()[0]
        code = f"PA-{year}-{seq:06d}"
        db.execute(
            "INSERT INTO tickets (code, year, seq, user_id, topic, content, attachments, contact_name,"
            " contact_phone, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
            [code, year, seq, user_id, draft["topic"], draft["content"],
             json.dumps(draft.get("attachments", []), ensure_ascii=False),
             contact.get("name"), contact.get("phone"), iso(now), iso(now)],
        )
    ticket = get(storage, code)
    assert ticket is not None
    return ticket


def get(storage: Storage, code: str) -> Ticket | None:
    with storage.connect() as db:
        row = db.execute(f"SELECT {_COLUMNS} FROM tickets WHERE code = ?", [code.strip().upper()]).fetchone()
    return _ticket(row) if row else None


def listing(storage: Storage, status: str | None = None, limit: int = 50) -> list[Ticket]:
    """Newest first; `status` None means every ticket not closed, "all" every ticket."""
    where, args = {None: ("status != 'closed'", []), "all": ("1", [])}.get(status, ("status = ?", [status]))
    with storage.connect() as db:
        rows = db.execute(f"SELECT {_COLUMNS} FROM tickets WHERE {where} ORDER BY id DESC LIMIT ?",
                          [*args, limit]).fetchall()
    return [_ticket(row) for row in rows]


def replies(storage: Storage, ticket_id: int) -> list[dict[str, Any]]:
    with storage.connect() as db:
        return list(db.query(
            "SELECT body, staff, status, error, created_at, delivered_at FROM ticket_replies"
            " WHERE ticket_id = ? ORDER BY id", [ticket_id]))


def set_status(db: Any, ticket_id: int, status: str, now: datetime) -> None:
    """Inside the caller's transaction; closing stamps closed_at, reopening clears it."""
    db.execute(
        "UPDATE tickets SET status = ?, updated_at = ?,"
        " closed_at = CASE WHEN ? = 'closed' THEN ? ELSE NULL END WHERE id = ?",
        [status, iso(now), status, iso(now), ticket_id],
    )


def anonymise(db: Any, where: str, args: list[Any], now: datetime) -> int:
    """Cut the link to the person: no user id, contact or images. Subject and content stay, because
    the agency must still handle and account for the feedback (Nghị định 20/2008/NĐ-CP)."""
    return db.execute(
        "UPDATE tickets SET user_id = NULL, contact_name = NULL, contact_phone = NULL, attachments = '[]',"
        f" anonymised_at = ? WHERE anonymised_at IS NULL AND ({where})", [iso(now), *args]).rowcount


def close(storage: Storage, code: str, now: datetime) -> Ticket | None:
    """Close without a message to the citizen (they see it when they look the ticket up)."""
    ticket = get(storage, code)
    if ticket is not None:
        with storage.transaction() as db:
            set_status(db, ticket.id, "closed", now)
    return get(storage, code)


def report_stats(db: Any, start: str, end: str, deadline_days: float) -> dict[str, Any]:
    """Tickets of a period (UTC bounds): received, resolved (closed) in it, resolved within
    `deadline_days` of being filed, hours to resolve (for the median), still open at its end, and
    received by topic. Tickets are anonymised, never deleted, so these stay exact after the purge."""
    received = db.execute("SELECT count(*) FROM tickets WHERE created_at >= ? AND created_at < ?", [start, end]).fetchone()[0]
    hours = [row[0] for row in db.execute(
        "SELECT (julianday(closed_at) - julianday(created_at)) * 24 FROM tickets WHERE status = 'closed'"
        " AND closed_at >= ? AND closed_at < ? ORDER BY 1", [start, end])]
    still_open = db.execute("SELECT count(*) FROM tickets WHERE created_at < ? AND (closed_at IS NULL OR closed_at >= ?)",
                            [end, end]).fetchone()[0]
    by_topic = db.execute("SELECT topic, count(*) FROM tickets WHERE created_at >= ? AND created_at < ?"
                          " GROUP BY topic ORDER BY 2 DESC, 1", [start, end]).fetchall()
    return {"received": received, "resolved": len(hours),
            "resolved_on_time": sum(1 for h in hours if h <= deadline_days * 24),
            "hours_to_resolve": hours, "still_open": still_open, "by_topic": [tuple(r) for r in by_topic]}


def closed_since(db: Any, since: str) -> list[tuple[int, str | None, str]]:
    """(id, user id, code) of the tickets closed since `since`, for the satisfaction survey."""
    return [tuple(r) for r in db.execute("SELECT id, user_id, code FROM tickets WHERE status = 'closed' AND closed_at >= ?",
                                         [since]).fetchall()]


def owner_of(db: Any, ticket_id: int) -> str | None:
    row = db.execute("SELECT user_id FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    return row[0] if row else None


def count_by_status(storage: Storage) -> dict[str, int]:
    with storage.connect() as db:
        return dict(db.execute("SELECT status, count(*) FROM tickets GROUP BY 1").fetchall())


def add_reply(db: Any, ticket_id: int, body: str, staff: str, status: str, now: datetime) -> int:
    """Inside the caller's transaction: a staff answer to the ticket (`sending` or `held`)."""
    return int(db.execute("INSERT INTO ticket_replies (ticket_id, body, staff, status, created_at) VALUES (?, ?, ?, ?, ?)",
                          [ticket_id, body, staff, status, iso(now)]).lastrowid)


def set_reply_status(db: Any, reply_id: int, status: str, delivered_at: datetime | None) -> None:
    db.execute("UPDATE ticket_replies SET status = ?, delivered_at = ? WHERE id = ?",
               [status, delivered_at and iso(delivered_at), reply_id])


def held_replies(db: Any, user_id: str, message_key: str) -> list[tuple[int, str, str]]:
    """(reply id, ticket code, body) of replies held for this citizen, or already released by
    message `message_key` (handled again after a crash), oldest first."""
    return [tuple(row) for row in db.execute(
        "SELECT r.id, t.code, r.body FROM ticket_replies r JOIN tickets t ON t.id = r.ticket_id"
        " WHERE t.user_id = ? AND (r.status = 'held' OR (r.status = 'released' AND r.released_by = ?))"
        " ORDER BY r.id", [user_id, message_key]).fetchall()]


def set_reply_released(db: Any, reply_id: int, message_key: str, now: datetime) -> None:
    db.execute("UPDATE ticket_replies SET status = 'released', released_by = ?, delivered_at = ? WHERE id = ?",
               [message_key, iso(now), reply_id])


def fail_held_replies(db: Any, user_id: str, error: str) -> int:
    """Held replies to this citizen's tickets will never go out (their data was deleted)."""
    return db.execute("UPDATE ticket_replies SET status = 'failed', error = ?"
                      " WHERE status = 'held' AND ticket_id IN (SELECT id FROM tickets WHERE user_id = ?)",
                      [error, user_id]).rowcount
