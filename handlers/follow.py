"""Follow and unfollow: keep the follower list true (campaigns never message unfollowers)."""

from __future__ import annotations

from bot.conversations import citizens
from bot.core import Context
from bot.events import Event
from bot.replies import Reply
from handlers import menu


def applies(event: Event, ctx: Context) -> bool:
    return event.name in ("follow", "unfollow")


def handle(event: Event, ctx: Context) -> list[Reply]:
    following = event.name == "follow"
    citizens.set_following(ctx.storage, event.user_id or "", following, event.timestamp_ms)
    if not following:
        return []
    return menu.welcome(ctx, followed=True)
