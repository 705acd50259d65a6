"""Flood limit: a citizen who types more than `flood_max_messages` within the window gets one
polite slow-down note, then silence until the burst is over, instead of one reply per message.
Placed after the active flows, so a citizen sending several photos for a feedback is not cut off."""

from __future__ import annotations

from bot.conversations import flood
from bot.core import Context
from bot.events import Event
from bot.replies import Reply


def applies(event: Event, ctx: Context) -> bool:
    conv = ctx.config.conversations
    return (event.is_user_message and conv.flood_max_messages > 0
            and flood.burst_size(ctx.storage, event, conv.flood_window_seconds) > conv.flood_max_messages)


def handle(event: Event, ctx: Context) -> list[Reply]:
    if not flood.claim_note(ctx.storage, event, ctx.config.conversations.flood_window_seconds):
        return []
    return [Reply(text=ctx.render("Bạn đang gửi nhiều tin nhắn liên tiếp nên tôi tạm dừng trả lời. Bạn vui lòng đợi giây "
                                  "lát rồi gửi lại câu hỏi chính nhé. Cần gấp, bạn gọi {hotline}."))]
