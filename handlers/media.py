"""Images, stickers, files, voice, locations…: the bot reads text only, so say so kindly."""

from __future__ import annotations

from bot.core import Context
from bot.events import Event
from bot.replies import Reply
from handlers.menu import button

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
