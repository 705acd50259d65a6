"""Follow and unfollow: keep the follower list true (campaigns never message unfollowers)."""

from __future__ import annotations

from bot import users
from bot.core import Context
from bot.events import Event
from bot.replies import Reply


def applies(event: Event, ctx: Context) -> bool:
    return event.name in ("follow", "unfollow")


def handle(event: Event, ctx: Context) -> list[Reply]:
    following = event.name == "follow"
    users.set_following(ctx.storage, event.user_id or "", following, event.timestamp_ms)
    if not following:
        return []
    return [Reply(text=welcome_text(ctx))]


def welcome_text(ctx: Context) -> str:
    return ctx.render(
        "Xin chào! Cảm ơn bạn đã quan tâm Zalo OA của {agency}.\n"
        "Tôi là trợ lý ảo, có thể giải đáp thủ tục hành chính (căn cước, khai sinh, cư trú, đất đai…) "
        "và thông tin về cải cách hành chính. Bạn cứ nhắn câu hỏi, ví dụ: \"làm căn cước cần gì\".\n"
        "Cần hỗ trợ trực tiếp, vui lòng gọi {hotline}."
    )
