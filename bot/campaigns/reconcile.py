"""Settle ambiguous deliveries by reading the OA's conversation with the citizen.

Zalo takes no idempotency key, so a message whose answer never came back (the process died
mid-request, or the request timed out) may or may not have been delivered. Zalo lets the OA read
its recent messages with a citizen (`GET /v2.0/oa/conversation`, newest first, 10 per page), so:
found there → sent; the conversation read back past the time of the attempt without it → not
delivered, resend; the check itself failed (error, timeout, or the window not covered within
MAX_PAGES) → stays ambiguous and is not resent.

Matching: by the message id when the row has one; otherwise (the usual case: the answer carrying
the id never arrived) by the message text, sent by the OA (`src` 0), at or after the attempt minus
CLOCK_SKEW, and not a message id already recorded for another delivery (an earlier run's copy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.zalo.errors import ZaloError

PAGE = 10  # Zalo returns at most 10 messages per call
MAX_PAGES = 5  # a citizen who wrote more than ~50 messages since: inconclusive, not resent
CLOCK_SKEW = timedelta(minutes=2)  # our clock against Zalo's, and the time a request takes


@dataclass(frozen=True)
class Verdict:
    kind: str  # found | absent | unknown
    message_id: str | None = None


def conversation_text(message: dict[str, Any]) -> str:
    """The text the conversation shows for a campaign message (text, caption or text above buttons)."""
    return str(message.get("text") or "").strip()


def look_up(zalo: Any, user_id: str, text: str, attempted_at: datetime, message_id: str | None,
            exclude: set[str]) -> Verdict:
    """Is the OA's message to `user_id` attempted at `attempted_at` in their conversation?"""
    if not text and not message_id:
        return Verdict("unknown")
    since_ms = (attempted_at - CLOCK_SKEW).timestamp() * 1000
    for page in range(MAX_PAGES):
        try:
            items = zalo.conversation(user_id, page * PAGE, PAGE)
        except ZaloError:
            return Verdict("unknown")
        reached_older = False
        for item in items:
            item_id = str(item.get("message_id") or "")
            if message_id and item_id == message_id:
                return Verdict("found", item_id)
            try:
                sent_ms = float(item.get("time") or 0)
            except (TypeError, ValueError):
                return Verdict("unknown")  # a shape we do not understand proves nothing
            if sent_ms < since_ms:
                reached_older = True
                continue
            if (str(item.get("src")) == "0" and str(item.get("message") or "").strip() == text
                    and item_id not in exclude):
                return Verdict("found", item_id or None)
        if reached_older or len(items) < PAGE:
            return Verdict("absent")
    return Verdict("unknown")
