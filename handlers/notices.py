"""What a citizen must hear before the answer to their message, whatever that answer is:
staff replies held outside Zalo's 7-day window (this message reopened it), the end of a handoff
that staff closed or that timed out, and a feedback draft dropped for being idle too long."""

from __future__ import annotations

from datetime import timedelta

from bot.conversations import flow_state, handoffs, staff_replies
from bot.conversations.flow_state import FLOW_LABELS
from bot.core import Context
from bot.events import Event
from bot.replies import Reply


def collect(event: Event, ctx: Context) -> list[Reply]:
    if not event.user_id or not (event.is_user_message or event.name == "user_submit_info"):
        return []
    return held_replies(event, ctx) + handoff_ended(event, ctx) + expired_flow(event, ctx)


def held_replies(event: Event, ctx: Context) -> list[Reply]:
    held = staff_replies.release(ctx.storage, event.user_id or "", event.dedupe_key, ctx.now)
    return [Reply(text=staff_replies.message_text(ctx.config.agency, r.code, r.body)) for r in held]


def handoff_ended(event: Event, ctx: Context) -> list[Reply]:
    """Said once, before the next answer, after staff closed the handoff or it timed out."""
    handoffs.expire(ctx.storage, ctx.now, handoffs.timeout(ctx.config), event.user_id)
    if not handoffs.take_ended(ctx.storage, event.user_id or ""):
        return []
    return [Reply(text="Phiên trao đổi với cán bộ đã kết thúc, trợ lý ảo tiếp tục hỗ trợ bạn. "
                       "Cần gặp lại cán bộ, bạn nhắn «gặp cán bộ».")]


def expired_flow(event: Event, ctx: Context) -> list[Reply]:
    idle = timedelta(minutes=ctx.config.conversations.flow_idle_minutes)
    state = flow_state.expire(ctx.storage, event.user_id or "", ctx.now, idle)
    if state is None:
        return []
    return [Reply(text=f"Do quá lâu không có phản hồi, {FLOW_LABELS.get(state.flow, 'thao tác đang dở')} "
                       "đã được hủy.")]
