"""The answer to the satisfaction question asked after a ticket or a handoff (bot/reports/survey.py)."""

from __future__ import annotations

from bot.core import Context
from bot.events import Event
from bot.replies import Reply
from bot.reports import survey


def on_payload(event: Event, ctx: Context, argument: str) -> list[Reply]:
    """`#survey:<ticket|handoff>:<id>:up|down`."""
    if survey.answer(ctx.storage, event.user_id or "", argument, ctx.now):
        return [Reply(text="Cảm ơn bạn đã đánh giá! Ý kiến của bạn giúp cơ quan phục vụ tốt hơn.")]
    return [Reply(text="Đánh giá này không còn hiệu lực. Cảm ơn bạn đã quan tâm!")]
