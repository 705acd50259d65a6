"""Button clicks: Zalo makes the citizen 'send' the button's payload as text. Payloads of our own
format (`#faq:<entry id>`) go to their handler, never to the matcher."""

from __future__ import annotations

from bot.core import Context
from bot.events import Event
from bot.replies import Reply
from handlers import faq

PREFIX = "#"


def applies(event: Event, ctx: Context) -> bool:
    return event.kind == "text" and event.text.strip().startswith(PREFIX)


def handle(event: Event, ctx: Context) -> list[Reply]:
    command, _, argument = event.text.strip()[len(PREFIX):].partition(":")
    if command == "faq":
        entry = ctx.knowledge.kb.get(argument.strip())
        if entry is not None:
            return faq.answer_replies(entry, ctx)
    return [Reply(text="Lựa chọn này không còn hiệu lực. Bạn vui lòng gõ lại câu hỏi nhé.")]
