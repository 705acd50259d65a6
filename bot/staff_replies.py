"""Staff answers to tickets, delivered as consultation messages within Zalo's rules.

Zalo delivers a consultation (CS) message only to a citizen who interacted in the last 7 days
(reference §7). Inside that window the reply is queued in the outbox and sent at once; outside it
(by our record of the last interaction, or because Zalo answered -230/-232) it is *held* and goes
out with the bot's answer the next time the citizen writes, which reopens the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot import tickets, users
from bot.clock import iso
from bot.config import AgencySettings
from bot.outbox import Outbox
from bot.replies import Reply
from bot.storage import Storage

WINDOW = timedelta(days=7)
WINDOW_ERRORS = (-230, -232)


class ReplyError(Exception):
    """The reply cannot be recorded (unknown or anonymised ticket); the message says why."""


@dataclass(frozen=True)
class HeldReply:
    code: str
    body: str


def message_text(agency: AgencySettings, code: str, body: str) -> str:
    return f"{agency.short_name} phản hồi phản ánh {code}:\n{body}"


def reply(outbox: Outbox, agency: AgencySettings, code: str, body: str, now: datetime, *,
          staff: str = "", close: bool = False) -> str:
    """Record a staff reply and try to deliver it; returns `sent`, `held` or `failed`."""
    ticket = tickets.get(outbox.storage, code)
    if ticket is None:
        raise ReplyError(f"no ticket {code}")
    if ticket.user_id is None:
        raise ReplyError(f"{ticket.code} was anonymised at the citizen's request: it cannot be answered on Zalo")
    messages = Reply(text=message_text(agency, ticket.code, body)).to_messages()
    with outbox.storage.transaction() as db:
        in_window = _in_window(db, ticket.user_id, now)
        row_ids = Outbox.record(db, ticket.user_id, messages, purpose="staff_reply") if in_window else []
        reply_id = db.execute(
            "INSERT INTO ticket_replies (ticket_id, body, staff, status, created_at) VALUES (?, ?, ?, ?, ?)",
            [ticket.id, body, staff, "sending" if in_window else "held", iso(now)]).lastrowid
        tickets.set_status(db, ticket.id, "closed" if close else "answered", now)
    status = _deliver(outbox, row_ids) if in_window else "held"
    with outbox.storage.connect() as db:
        db.execute("UPDATE ticket_replies SET status = ?, delivered_at = ? WHERE id = ?",
                   [status, iso(now) if status == "sent" else None, reply_id])
    return status


def _in_window(db: Any, user_id: str, now: datetime) -> bool:
    last = users.last_interaction_at(db, user_id)
    return bool(last and last > iso(now - WINDOW))


def _deliver(outbox: Outbox, row_ids: list[int]) -> str:
    for row_id in row_ids:
        if outbox.deliver(row_id):
            continue
        return "held" if outbox.error_code(row_id) in WINDOW_ERRORS else "failed"
    return "sent"


def release(storage: Storage, user_id: str, message_key: str, now: datetime) -> list[HeldReply]:
    """Held replies for this citizen, to go out with the answer to message `message_key`.

    Marked released by that message in the same step, so handling the same message again after a
    crash returns them again (the outbox ignores the duplicate) instead of losing them.
    """
    query = ("SELECT r.id, t.code, r.body FROM ticket_replies r JOIN tickets t ON t.id = r.ticket_id"
             " WHERE t.user_id = ? AND (r.status = 'held' OR (r.status = 'released' AND r.released_by = ?))"
             " ORDER BY r.id")
    with storage.connect() as db:
        if not db.execute(query, [user_id, message_key]).fetchone():
            return []  # the common case, read-only
    with storage.transaction() as db:
        rows = db.execute(query, [user_id, message_key]).fetchall()
        for reply_id, _code, _body in rows:
            db.execute("UPDATE ticket_replies SET status = 'released', released_by = ?, delivered_at = ?"
                       " WHERE id = ?", [message_key, iso(now), reply_id])
    return [HeldReply(code, body) for _id, code, body in rows]


def fail_held(db: Any, user_id: str, error: str) -> int:
    """Held replies to this citizen's tickets will never go out (their data was deleted)."""
    return db.execute("UPDATE ticket_replies SET status = 'failed', error = ?"
                      " WHERE status = 'held' AND ticket_id IN (SELECT id FROM tickets WHERE user_id = ?)",
                      [error, user_id]).rowcount
