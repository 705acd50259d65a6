"""Staff's side of feedback tickets, shared by `python -m bot tickets`, the admin API and the
console: list, show with replies, and answer or close. Answering is `staff_replies.respond`,
which holds the reply when the citizen is outside Zalo's 7-day window; it needs only the outbox
(bot/wiring.py builds one without the knowledge base)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import Config
from bot.conversations import staff_replies, tickets
from bot.conversations.staff_replies import ReplyError, TicketNotFound
from bot.conversations.tickets import STATUSES, Ticket
from bot.outbox import Outbox
from bot.storage import Storage

__all__ = ["STATUSES", "ReplyError", "Ticket", "TicketNotFound", "answer", "listing", "show"]


def listing(storage: Storage, status: str | None, limit: int) -> list[Ticket]:
    """Newest first; `status` None: every ticket not closed, "all": every ticket."""
    return tickets.listing(storage, status, limit)


def show(storage: Storage, code: str) -> tuple[Ticket, list[dict[str, Any]]] | None:
    """The ticket and its replies with their delivery, or None for an unknown code."""
    ticket = tickets.get(storage, code)
    return None if ticket is None else (ticket, tickets.replies(storage, ticket.id))


def answer(outbox: Outbox, config: Config, code: str, text: str, now: datetime, *, staff: str, close: bool) -> str:
    """Send (or hold) `text` to the ticket's citizen, optionally closing it: "sent", "held",
    "failed" or "closed". Raises TicketNotFound or ReplyError."""
    return staff_replies.respond(outbox, config.agency, code, text, now, staff=staff, close=close)
