"""Flood limit: a citizen who sends more than `flood_max_messages` within the window gets one
polite slow-down note, then silence until the burst is over, instead of one reply per message.
Placed after the active flows, so a citizen sending several photos for a feedback is not cut off."""

from __future__ import annotations

from bot import flood
from bot.core import Context
from bot.events import Event
from bot.replies import Reply


def _position(event: Event, ctx: Context) -> int:
    return flood.position_in_burst(ctx.storage, event, ctx.config.conversations.flood_window_seconds)


def applies(event: Event, ctx: Context) -> bool:
    limit = ctx.config.conversations.flood_max_messages
    return event.is_user_message and limit > 0 and _position(event, ctx) > limit


def handle(event: Event, ctx: Context) -> list[Reply]:
    if _position(event, ctx) != ctx.config.conversations.flood_max_messages + 1:
        return []
    return [Reply(text=ctx.render("Bạn đang gửi nhiều tin nhắn liên tiếp. Tôi sẽ trả lời từng câu hỏi, bạn vui lòng "
                                  "đợi giây lát rồi gửi tiếp nhé. Cần gấp, bạn gọi {hotline}."))]
