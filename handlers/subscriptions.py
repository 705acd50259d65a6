"""Campaign topic subscriptions chosen in the chat: "đăng ký nhận tin" lists the topics
(campaigns.topics) as buttons; "hủy nhận tin" leaves everything in one step, no questions asked,
and also stops messages sent to all followers (do_not_contact) until the citizen subscribes again."""

from __future__ import annotations

from bot.conversations import subscriptions
from bot.core import Context
from bot.events import Event
from bot.replies import Reply, button

AGAIN = "Muốn nhận lại, bạn nhắn «đăng ký nhận tin»."


def show(event: Event, ctx: Context) -> list[Reply]:
    topics = ctx.config.campaigns.topics
    if not topics:
        return [Reply(text="Hiện chưa có chủ đề nhận tin nào.")]
    mine = subscriptions.topics_of(ctx.storage, event.user_id or "")
    names = ", ".join(f"«{topics[t]}»" for t in topics if t in mine)
    status = f"Bạn đang nhận tin: {names}." if mine else "Bạn chưa đăng ký nhận tin chủ đề nào."
    room = 4 if mine else 5
    buttons = [button(f"Nhận: {name}", f"#sub:{key}") for key, name in topics.items() if key not in mine][:room]
    ask = " Bạn chọn chủ đề muốn nhận:" if buttons else ""
    if mine:
        buttons.append(button("Hủy nhận tin", "#unsub:all"))
    return [Reply(text=ctx.render("{agency_short} gửi thông tin theo chủ đề qua Zalo này. ") + status + ask,
                  buttons=tuple(buttons))]


def on_subscribe(event: Event, ctx: Context, topic: str) -> list[Reply]:
    """`#sub:<topic>`."""
    name = ctx.config.campaigns.topics.get(topic)
    if name is None:
        return show(event, ctx)
    subscriptions.subscribe(ctx.storage, event.user_id or "", topic, ctx.now)
    return [Reply(text=f"Đã đăng ký nhận tin «{name}». Bạn nhắn «hủy nhận tin» bất cứ lúc nào để ngừng.",
                  buttons=(button("Hủy chủ đề này", f"#unsub:{topic}"), button("Chủ đề khác", "#subscribe")))]


def on_unsubscribe(event: Event, ctx: Context, topic: str) -> list[Reply]:
    """`#unsub:<topic>` leaves one topic; `#unsub:all` is the same as "hủy nhận tin"."""
    if topic == "all":
        return leave_all(event, ctx)
    left = subscriptions.unsubscribe(ctx.storage, event.user_id or "", topic)
    name = ctx.config.campaigns.topics.get(topic, topic)
    if not left:
        return [Reply(text=f"Bạn không đăng ký nhận tin «{name}». {AGAIN}")]
    return [Reply(text=f"Đã hủy nhận tin «{name}». {AGAIN}")]


def leave_all(event: Event, ctx: Context) -> list[Reply]:
    subscriptions.unsubscribe(ctx.storage, event.user_id or "")
    subscriptions.do_not_contact(ctx.storage, event.user_id or "")
    return [Reply(text=ctx.render("Đã hủy nhận tin. {agency_short} sẽ không gửi tin thông báo cho bạn nữa; "
                                  "trợ lý ảo vẫn trả lời khi bạn hỏi. ") + AGAIN)]
