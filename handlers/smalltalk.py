"""Greetings, thanks, goodbyes, "bạn là ai": short friendly answers that never go through the
FAQ matcher, so "cảm ơn" neither gets a random answer nor counts as an unanswered question."""

from __future__ import annotations

from bot.core import Context
from bot.events import Event
from bot.intents import match, table
from bot.replies import Reply, button

PHRASES: dict[str, tuple[str, ...]] = {
    "greeting": ("xin chào", "chào", "chào bạn", "chào ad", "hello", "hi", "alo", "hế lô", "chào buổi sáng",
                 "chào buổi chiều", "chào buổi tối", "hey"),
    "thanks": ("cảm ơn", "cám ơn", "cảm ơn nhiều", "cảm ơn bạn", "cảm ơn bạn nhiều", "thanks", "thank you",
               "thank", "thank u", "tks", "thanks nhiều", "camon", "ok cảm ơn", "vâng cảm ơn", "dạ cảm ơn", "xin cảm ơn"),
    "bye": ("tạm biệt", "bye", "bai", "bye bye", "goodbye", "hẹn gặp lại", "chào tạm biệt"),
    "who": ("bạn là ai", "bạn là gì", "ai đấy", "ai vậy", "đây là ai", "bạn tên gì", "bạn là người hay máy",
            "bạn là bot à", "bot à", "có phải người thật không", "là người hay máy"),
    "ack": ("ok", "oke", "okay", "okie", "vâng", "dạ", "ừ", "uh", "rồi", "đã hiểu", "hiểu rồi", "được rồi",
            "dạ vâng", "vâng ạ"),
}
KEYED = table(PHRASES)
ANSWERS = {
    "greeting": "Xin chào bạn! Tôi là trợ lý ảo của {agency}. Bạn cần hỏi thủ tục gì cứ nhắn, hoặc xem danh mục.",
    "thanks": "Không có gì ạ! Bạn cần hỗ trợ thêm cứ nhắn cho tôi nhé.",
    "bye": "Tạm biệt bạn! Khi cần hỗ trợ về thủ tục hành chính, bạn cứ nhắn cho {agency_short} nhé.",
    "who": ("Tôi là trợ lý ảo (chương trình tự động) của {agency}, trả lời dựa trên thông tin cán bộ đã soạn sẵn. "
            "Cần trao đổi trực tiếp, bạn nhắn «gặp cán bộ» hoặc gọi {hotline}."),
    "ack": "Dạ. Bạn cần hỗ trợ thêm điều gì cứ nhắn nhé.",
}


def applies(event: Event, ctx: Context) -> bool:
    return event.kind == "text" and intent_of(event.text) is not None


def intent_of(text: str) -> str | None:
    """"greeting", "thanks", "bye", "who" or "ack" when that is all the message says."""
    return match(text.strip(), KEYED)


def handle(event: Event, ctx: Context) -> list[Reply]:
    intent = intent_of(event.text) or "ack"
    buttons = (button("Xem danh mục", "#menu"),) if intent == "greeting" else ()
    return [Reply(text=ctx.render(ANSWERS[intent]), buttons=buttons)]
