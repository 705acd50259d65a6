"""Zalo's receipts (`user_received_message`, `user_seen_message`): never answered, recorded so that
reports can say who received and read the OA's messages (bot/reports/engagement.py)."""

from __future__ import annotations

from bot.core import Context
from bot.events import Event
from bot.replies import Reply
from bot.reports import engagement


def applies(event: Event, ctx: Context) -> bool:
    return event.is_receipt


def handle(event: Event, ctx: Context) -> list[Reply]:
    engagement.record_receipt(ctx.storage, event, ctx.config.secrets.log_key)
    return []
