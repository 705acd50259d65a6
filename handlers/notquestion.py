"""Messages too short to be a question: a bare number ("2"), one character ("?", "a") or only
punctuation ("..."). Matched against the FAQ they would land on whatever entry contains that
number or letter, so they get a short prompt and the topics instead, and are not logged as
unanswered questions. The bot's menus are buttons (their payloads go to handlers/payload.py),
so a typed number is never a menu choice.
"""

from __future__ import annotations

from bot.core import Context
from bot.events import Event
from bot.replies import Reply
from handlers import menu

PROMPT = ("Bạn muốn hỏi về thủ tục nào? Bạn nhắn câu hỏi đầy đủ hơn, ví dụ: \"làm căn cước cần gì\", "
          "hoặc chọn lĩnh vực bên dưới.")


def applies(event: Event, ctx: Context) -> bool:
    return event.kind == "text" and too_short(event.text)


def too_short(text: str) -> bool:
    """A bare number, one character or only punctuation."""
    text = "".join(text.split())
    return bool(text) and (len(text) == 1 or text.isdigit() or not any(ch.isalnum() for ch in text))


def handle(event: Event, ctx: Context) -> list[Reply]:
    return [Reply(text=PROMPT, buttons=menu.topic_buttons(ctx, 0))]
