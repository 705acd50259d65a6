"""Images, stickers, files, voice, locations…: the bot reads text only, so say so kindly.

A link or a captioned image carries the citizen's words in `message.text` ("Thủ tục đăng ký kết
hôn https://dichvucong.gov.vn"): those words are answered as a text message, without the links.
"""

from __future__ import annotations

import dataclasses
import re

from bot.core import Context
from bot.events import Event
from bot.replies import Reply, button

DESCRIPTIONS = {
    "image": "hình ảnh",
    "gif": "ảnh động",
    "sticker": "nhãn dán",
    "file": "tệp đính kèm",
    "audio": "tin nhắn thoại",
    "video": "video",
    "link": "đường liên kết",
    "location": "vị trí",
    "business_card": "danh thiếp",
}


WITH_WORDS = ("link", "image")  # kinds whose `message.text` is what the citizen wrote
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def words(event: Event) -> str:
    """What the citizen wrote with a link or an image, links removed; "" for other kinds."""
    if not event.is_user_message or event.kind not in WITH_WORDS:
        return ""
    return " ".join(_URL.sub(" ", event.text).split())


def has_words(event: Event, ctx: Context) -> bool:
    return bool(words(event))


def as_text(event: Event) -> Event:
    """The same message as a text message carrying only the words, for the text handlers."""
    return dataclasses.replace(event, name="user_send_text", text=words(event))


def applies(event: Event, ctx: Context) -> bool:
    return event.is_user_message and event.kind != "text"


def handle(event: Event, ctx: Context) -> list[Reply]:
    what = DESCRIPTIONS.get(event.kind, "tin nhắn này")
    buttons = (button("Xem danh mục", "#menu"), button("Gửi phản ánh kèm ảnh", "#feedback"),
               button("Gặp cán bộ", "#handoff"))
    return [Reply(text=ctx.render(
        f"Cảm ơn bạn đã gửi {what}. Trợ lý ảo hiện chỉ đọc được tin nhắn chữ.\n"
        "Bạn vui lòng gõ câu hỏi về thủ tục hành chính (ví dụ: \"đăng ký khai sinh cần gì\") "
        "để được giải đáp. Muốn phản ánh kèm hình ảnh, bạn bấm «Gửi phản ánh kèm ảnh»."
    ), buttons=buttons)]
