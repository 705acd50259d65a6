""""tra cứu PA-2025-000123" (or the button under a new ticket): the status of one of the
citizen's own tickets. Someone else's code gets the same answer as a wrong one, so codes
cannot be used to read other people's feedback."""

from __future__ import annotations

from datetime import datetime

from bot.conversations import tickets
from bot.core import Context
from bot.events import Event
from bot.intents import ticket_code
from bot.replies import Reply


def lookup(event: Event, ctx: Context) -> list[Reply]:
    return show(event, ctx, ticket_code(event.text) or "")


def show(event: Event, ctx: Context, code: str) -> list[Reply]:
    ticket = tickets.get(ctx.storage, code)
    if ticket is None or ticket.user_id != event.user_id:
        return [Reply(text=f"Không tìm thấy phản ánh mã {code} của bạn. Bạn kiểm tra lại mã "
                           "(dạng PA-2025-000123) nhé.")]
    sent = [r for r in tickets.replies(ctx.storage, ticket.id) if r["status"] in ("sent", "released")]
    day = datetime.fromisoformat(ticket.created_at).astimezone(ctx.now.tzinfo).strftime("%d/%m/%Y")
    text = (f"Phản ánh {ticket.code} ({ticket.topic}), gửi ngày {day}.\n"
            f"Tình trạng: {tickets.STATUS_LABELS[ticket.status]}.")
    if sent:
        text += f"\nPhản hồi gần nhất của cán bộ: {sent[-1]['body']}"
    return [Reply(text=text)]
