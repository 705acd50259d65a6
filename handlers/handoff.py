"""Handoff to staff: "gặp cán bộ" flags the conversation, tells the citizen when staff work,
and the bot then stays silent for that citizen. Staff answer from the Zalo OA inbox; their
messages come back to us as oa_send_* echoes, which keep the handoff open (bot/conversations/handoffs.py)."""

from __future__ import annotations

from bot.conversations import flow_state, handoffs
from bot.core import Context
from bot.events import Event
from bot.replies import Reply, button


def start(event: Event, ctx: Context) -> list[Reply]:
    flow_state.clear(ctx.storage, event.user_id or "")  # staff take over; no flow may catch messages
    handoffs.open_handoff(ctx.storage, event.user_id or "", ctx.now)
    conv = ctx.config.conversations
    hours = conv.staff_hours_text or ctx.config.agency.office_hours
    if conv.staff_on_duty(ctx.now):
        when = f"Cán bộ sẽ trả lời bạn ngay tại đây trong thời gian sớm nhất (giờ làm việc: {hours})."
    else:
        when = f"Hiện đang ngoài giờ làm việc; cán bộ sẽ trả lời bạn tại đây vào giờ làm việc: {hours}."
    text = (ctx.render("Tôi đã chuyển cuộc trò chuyện cho cán bộ của {agency_short}. ") + when
            + ctx.render("\nTrong lúc chờ, trợ lý ảo tạm ngừng trả lời. Việc gấp, bạn gọi {hotline}."))
    return [Reply(text=text, buttons=(button("Quay lại trợ lý ảo", "#handoff:end"),))]


def on_payload(event: Event, ctx: Context, argument: str) -> list[Reply]:
    """`#handoff` starts one; `#handoff:end` is the citizen going back to the bot."""
    if argument != "end":
        return start(event, ctx)
    handoffs.close(ctx.storage, event.user_id or "", ctx.now, by="citizen")
    return [Reply(text="Trợ lý ảo đã sẵn sàng trả lời bạn trở lại. Bạn cứ nhắn câu hỏi, hoặc xem danh mục.",
                  buttons=(button("Xem danh mục", "#menu"),))]


def is_echo(event: Event, ctx: Context) -> bool:
    return event.is_echo and bool(event.user_id)


def on_echo(event: Event, ctx: Context) -> list[Reply]:
    """A message from the OA to the citizen (staff in the OA inbox): keeps a handoff alive."""
    handoffs.touch(ctx.storage, event.user_id or "", ctx.now, handoffs.timeout(ctx.config))
    return []


def is_handed_off(event: Event, ctx: Context) -> bool:
    if not (event.is_user_message or event.name == "user_submit_info") or not event.user_id:
        return False
    return handoffs.is_open(ctx.storage, event.user_id, ctx.now, handoffs.timeout(ctx.config))


def stay_silent(event: Event, ctx: Context) -> list[Reply]:
    return []

