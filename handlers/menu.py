"""Welcome and menu: a greeting naming the agency, the knowledge topics as buttons, then the
services (feedback, subscriptions, staff). Topics and their questions are paged four at a time
with a fifth button to see more, so every list fits Zalo's five buttons and none is a dead end."""

from __future__ import annotations

from bot.core import Context
from bot.events import Event
from bot.replies import Reply, button
from bot.zalo.messages import ZaloButton

PAGE = 4
INTRO = (", giải đáp thủ tục hành chính và thông tin cải cách hành chính. Bạn chọn lĩnh vực bên dưới "
         "hoặc nhắn câu hỏi, ví dụ: \"làm căn cước cần gì\".")


def welcome(ctx: Context, *, followed: bool = False) -> list[Reply]:
    opening = ("Xin chào, cảm ơn bạn đã quan tâm Zalo OA của {agency}!\nTôi là trợ lý ảo" if followed
               else "Xin chào! Tôi là trợ lý ảo của {agency}")
    return [Reply(text=ctx.render(opening + INTRO), buttons=topic_buttons(ctx, 0)), services()]


def show(event: Event, ctx: Context) -> list[Reply]:
    """"menu", "bắt đầu", "hướng dẫn" and the menu button."""
    return welcome(ctx)


def is_chat_button(event: Event, ctx: Context) -> bool:
    """The citizen tapped "Nhắn tin" on the OA's profile: a conversation is starting."""
    return event.name == "user_click_chatnow"


def services() -> Reply:
    return Reply(text="Bạn cũng có thể:", buttons=(
        button("Gửi phản ánh, kiến nghị", "#feedback"),
        button("Đăng ký nhận tin", "#subscribe"),
        button("Gặp cán bộ", "#handoff"),
    ))


def topics(ctx: Context) -> list[tuple[str, str]]:
    """(key, name) of the topics that have questions, in the configured menu order."""
    kb = ctx.knowledge.kb
    order = ctx.config.conversations.menu_topics or tuple(kb.topics)
    return [(key, kb.topics.get(key, key)) for key in order if kb.by_topic(key)]


def topic_buttons(ctx: Context, page: int) -> tuple[ZaloButton, ...]:
    listed = topics(ctx)
    if len(listed) <= PAGE + 1:
        return tuple(button(name, f"#topic:{key}:0") for key, name in listed)
    pages = -(-len(listed) // PAGE)
    page %= pages
    shown = listed[page * PAGE:(page + 1) * PAGE]
    return (*(button(name, f"#topic:{key}:0") for key, name in shown),
            button("Lĩnh vực khác", f"#topics:{(page + 1) % pages}"))


def on_topics(ctx: Context, argument: str) -> list[Reply]:
    """`#topics:<page>`."""
    return [Reply(text="Bạn chọn lĩnh vực cần tìm hiểu:", buttons=topic_buttons(ctx, _int(argument)))]


def on_topic(ctx: Context, argument: str) -> list[Reply]:
    """`#topic:<key>:<page>`: the topic's questions, four per page."""
    key, _, page_text = argument.rpartition(":")
    entries = ctx.knowledge.kb.by_topic(key)
    if not entries:
        return [Reply(text="Lĩnh vực này hiện chưa có câu hỏi. Bạn chọn lĩnh vực khác nhé:",
                      buttons=topic_buttons(ctx, 0))]
    pages = -(-len(entries) // PAGE)
    page = min(_int(page_text), pages - 1)
    buttons = [button(e.question, f"#faq:{e.id}") for e in entries[page * PAGE:(page + 1) * PAGE]]
    if page + 1 < pages:
        buttons.append(button("Xem thêm", f"#topic:{key}:{page + 1}"))
    else:
        buttons.append(button("Lĩnh vực khác", "#topics:0"))
    name = ctx.knowledge.kb.topics.get(key, key)
    where = f" (trang {page + 1}/{pages})" if pages > 1 else ""
    return [Reply(text=f"{name}: câu hỏi thường gặp{where}. Bạn chọn câu hỏi:", buttons=tuple(buttons))]


def _int(text: str) -> int:
    return int(text) if text.strip().isdigit() else 0
