"""Staff answers to tickets, delivered as consultation messages within Zalo's rules.

Zalo delivers a consultation (CS) message only to a citizen who interacted in the last 7 days
(reference §7). Inside that window the reply is queued in the outbox and sent at once; outside it
(by our record of the last interaction, or because Zalo answered -230/-232) it is *held* and goes
out with the bot's answer the next time the citizen writes, which reopens the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import iso
from bot.config import AgencySettings
from bot.conversations import citizens, tickets
from bot.outbox import Outbox
from bot.replies import Reply
from bot.storage import Storage
from bot.zalo.windows import CS_WINDOW, OUTSIDE_WINDOW_ERRORS


class ReplyError(Exception):
    """The reply cannot be recorded (unknown or anonymised ticket); the message says why."""


class TicketNotFound(ReplyError):
    """No ticket with that code."""


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
        raise TicketNotFound(f"no ticket {code}")
    if ticket.user_id is None:
        raise ReplyError(f"{ticket.code} was anonymised at the citizen's request: it cannot be answered on Zalo")
    messages = Reply(text=message_text(agency, ticket.code, body)).to_messages()
    with outbox.storage.transaction() as db:
        in_window = _in_window(db, ticket.user_id, now)
        row_ids = Outbox.record(db, ticket.user_id, messages, purpose="staff_reply") if in_window else []
        reply_id = tickets.add_reply(db, ticket.id, body, staff, "sending" if in_window else "held", now)
        tickets.set_status(db, ticket.id, "closed" if close else "answered", now)
    status = _deliver(outbox, row_ids) if in_window else "held"
    with outbox.storage.connect() as db:
        tickets.set_reply_status(db, reply_id, status, now if status == "sent" else None)
    return status


def respond(outbox: Outbox, agency: AgencySettings, code: str, text: str, now: datetime, *,
            staff: str = "", close: bool = False) -> str:
    """What staff do with a ticket, from the CLI, the admin API or the console: answer it (and
    close it when `close`), or close it without a message when `text` is empty and `close` is set.
    Returns the reply's delivery (`sent`, `held`, `failed`) or `closed`; ReplyError says why not."""
    text = text.strip()
    if text:
        return reply(outbox, agency, code, text, now, staff=staff, close=close)
    if not close:
        raise ReplyError("the reply text is empty")
    if tickets.close(outbox.storage, code, now) is None:
        raise TicketNotFound(f"no ticket {code}")
    return "closed"


def in_window(storage: Storage, user_id: str | None, now: datetime) -> bool:
    """Whether a reply to this citizen goes out at once (they wrote within Zalo's 7 days)."""
    if user_id is None:
        return False
    with storage.connect() as db:
        return _in_window(db, user_id, now)


def _in_window(db: Any, user_id: str, now: datetime) -> bool:
    last = citizens.last_interaction_at(db, user_id)
    return bool(last and last > iso(now - CS_WINDOW))


def _deliver(outbox: Outbox, row_ids: list[int]) -> str:
    for row_id in row_ids:
        if outbox.deliver(row_id):
            continue
        return "held" if outbox.error_code(row_id) in OUTSIDE_WINDOW_ERRORS else "failed"
    return "sent"


def release(storage: Storage, user_id: str, message_key: str, now: datetime) -> list[HeldReply]:
    """Held replies for this citizen, to go out with the answer to message `message_key`.

    Marked released by that message in the same step, so handling the same message again after a
    crash returns them again (the outbox ignores the duplicate) instead of losing them.
    """
    with storage.connect() as db:
        if not tickets.held_replies(db, user_id, message_key):
            return []  # the common case, read-only
    with storage.transaction() as db:
        rows = tickets.held_replies(db, user_id, message_key)
        for reply_id, _code, _body in rows:
            tickets.set_reply_released(db, reply_id, message_key, now)
    return [HeldReply(code, body) for _id, code, body in rows]
