"""Feedback and complaints (phản ánh, kiến nghị): a short guided flow that ends in a ticket.

Steps: topic (a button or a few typed words) → content (text, images kept by URL) → contact
(optional: Zalo's request_user_info, or a typed phone number) → confirmation → ticket code.
The draft lives in conversation_state, so it survives restarts; "hủy" or any command leaves it.
"""

from __future__ import annotations

import re
from typing import Any

from bot.conversations import flow_state, tickets
from bot.conversations.flow_state import State
from bot.core import Context
from bot.events import Event
from bot.intents import command_of, match, table
from bot.replies import Reply, button

FLOW = "feedback"
TOPICS = {
    "thu-tuc": "Thủ tục, giấy tờ hành chính",
    "can-bo": "Thái độ, trách nhiệm của cán bộ",
    "truc-tuyen": "Dịch vụ công trực tuyến",
    "khac": "Vấn đề khác",
}
ANSWERS = table({"send": ("gửi", "gửi đi", "gửi phản ánh", "đồng ý", "xác nhận", "ok", "có"),
                 "skip": ("bỏ qua", "không", "không cần", "khỏi")})
PHONE = re.compile(r"(?:\+?84|0)\d{9,10}")
CANCEL = button("Hủy", "#cancel")
EXPIRED = Reply(text="Phản ánh này đã được gửi hoặc đã hết thời gian soạn. Bạn bấm nút dưới đây để bắt đầu lại.",
                buttons=(button("Gửi phản ánh mới", "#feedback"),))


def applies(event: Event, ctx: Context) -> bool:
    """A message while the citizen is writing feedback, unless it is a command (which leaves it)."""
    if not (event.is_user_message or event.name == "user_submit_info") or command_of(event):
        return False
    state = flow_state.load(ctx.storage, event.user_id or "")
    return state is not None and state.flow == FLOW


def start(event: Event, ctx: Context, topic: str | None = None) -> list[Reply]:
    """A new draft; with a known `topic` key (from a typed complaint) the topic step is skipped."""
    if topic in TOPICS:
        return _topic(ctx, event, {}, TOPICS[topic])
    _save(ctx, event, "topic", {})
    return [_topic_prompt()]


def _topic_prompt() -> Reply:
    buttons = tuple(button(name, f"#fb:topic:{key}") for key, name in TOPICS.items())
    return Reply(text="Bạn muốn phản ánh, kiến nghị về vấn đề gì? Chọn một mục bên dưới hoặc nhắn ngắn gọn chủ đề.",
                 buttons=(*buttons, CANCEL))


def handle(event: Event, ctx: Context) -> list[Reply]:
    state = flow_state.load(ctx.storage, event.user_id or "")
    assert state is not None
    data = dict(state.data)
    if event.kind == "image":
        data["attachments"] = [*data.get("attachments", []), *(a.url for a in event.attachments if a.url)]
        _save(ctx, event, state.step, data)
        return [_again("Đã nhận hình ảnh. ", ctx, state.step, data)]
    if event.name == "user_submit_info":
        data["contact"] = {"name": str(event.info.get("name") or ""), "phone": str(event.info.get("phone") or "")}
        if state.step == "contact":
            return _to_confirm(ctx, event, data)
        _save(ctx, event, state.step, data)
        return [_again("Đã nhận thông tin liên hệ. ", ctx, state.step, data)]
    if event.kind != "text" or not event.text.strip():
        return [_again("Phản ánh chỉ nhận chữ và hình ảnh. ", ctx, state.step, data)]
    return STEPS[state.step](event, ctx, data)


def _again(note: str, ctx: Context, step: str, data: dict[str, Any]) -> Reply:
    """The current step's question again, after a short note (the contact card is not resent)."""
    prompt = {"topic": _topic_prompt, "content": _content_prompt}.get(step)
    reply = prompt() if prompt else _contact_prompt(ctx) if step == "contact" else _confirm_prompt(data)
    return Reply(text=note + reply.text, buttons=reply.buttons)


def on_payload(event: Event, ctx: Context, argument: str) -> list[Reply]:
    """`#fb:topic:<key>`, `#fb:next`, `#fb:skip`, `#fb:send`: only meaningful inside the flow."""
    state = flow_state.load(ctx.storage, event.user_id or "")
    if state is None or state.flow != FLOW:
        return [EXPIRED]
    action, _, value = argument.partition(":")
    data = dict(state.data)
    if action == "topic" and value in TOPICS and state.step == "topic":
        return _topic(ctx, event, data, TOPICS[value])
    if action == "next" and state.step == "content":
        return _to_contact(ctx, event, data)
    if action == "skip" and state.step == "contact":
        return _to_confirm(ctx, event, data)
    if action == "send" and state.step == "confirm":
        return _submit(ctx, event, data)
    return [Reply(text="Bạn tiếp tục theo hướng dẫn ở tin nhắn gần nhất, hoặc bấm «Hủy» để dừng.", buttons=(CANCEL,))]


def _on_topic(event: Event, ctx: Context, data: dict[str, Any]) -> list[Reply]:
    return _topic(ctx, event, data, event.text.strip()[:200])


def _topic(ctx: Context, event: Event, data: dict[str, Any], topic: str) -> list[Reply]:
    _save(ctx, event, "content", {**data, "topic": topic})
    return [Reply(text="Bạn vui lòng nhập nội dung phản ánh, kiến nghị: sự việc, thời gian, địa điểm cụ thể. "
                       "Có thể gửi kèm hình ảnh.", buttons=(CANCEL,))]


def _on_content(event: Event, ctx: Context, data: dict[str, Any]) -> list[Reply]:
    data["content"] = "\n".join(filter(None, [data.get("content", ""), event.text.strip()]))
    _save(ctx, event, "content", data)
    prompt = _content_prompt()
    return [Reply(text="Đã ghi nhận nội dung. " + prompt.text, buttons=prompt.buttons)]


def _content_prompt() -> Reply:
    return Reply(text="Bạn có thể gửi thêm chữ hoặc hình ảnh, hoặc bấm «Tiếp tục».",
                 buttons=(button("Tiếp tục", "#fb:next"), CANCEL))


def _to_contact(ctx: Context, event: Event, data: dict[str, Any]) -> list[Reply]:
    if not data.get("content"):
        return [Reply(text="Bạn chưa nhập nội dung phản ánh. Bạn vui lòng nhập nội dung bằng chữ.", buttons=(CANCEL,))]
    _save(ctx, event, "contact", data)
    return [_contact_prompt(ctx)]


def _contact_prompt(ctx: Context) -> Reply:
    buttons = (button("Bỏ qua", "#fb:skip"), CANCEL)
    banner = ctx.config.conversations.contact_banner_url
    if not banner:
        return Reply(text="Bạn có muốn để lại số điện thoại để cán bộ liên hệ khi cần không? "
                          "Nhập số điện thoại, hoặc bấm «Bỏ qua».", buttons=buttons)
    return Reply(text="Bạn có muốn để lại thông tin liên hệ để cán bộ liên hệ khi cần không? Bấm vào yêu cầu ở trên "
                      "để chia sẻ, nhập số điện thoại, hoặc bấm «Bỏ qua».", buttons=buttons,
                 request_info=(ctx.config.agency.short_name, "Chia sẻ thông tin liên hệ cho cán bộ xử lý phản ánh", banner))


def _on_contact(event: Event, ctx: Context, data: dict[str, Any]) -> list[Reply]:
    phone = PHONE.search(re.sub(r"[\s.-]", "", event.text))
    if phone:
        return _to_confirm(ctx, event, {**data, "contact": {"name": "", "phone": phone[0]}})
    if match(event.text, ANSWERS) == "skip":
        return _to_confirm(ctx, event, data)
    return [_contact_prompt(ctx)]


def _to_confirm(ctx: Context, event: Event, data: dict[str, Any]) -> list[Reply]:
    _save(ctx, event, "confirm", data)
    return [_confirm_prompt(data)]


def _confirm_prompt(data: dict[str, Any]) -> Reply:
    contact = data.get("contact") or {}
    who = ", ".join(filter(None, [contact.get("name"), contact.get("phone")])) or "không để lại"
    return Reply(text=f"Bạn kiểm tra lại phản ánh:\n- Chủ đề: {data['topic']}\n- Nội dung: {data['content']}\n"
                      f"- Hình ảnh: {len(data.get('attachments', []))}\n- Liên hệ: {who}\n"
                      "Bấm «Gửi phản ánh» để gửi.",
                 buttons=(button("Gửi phản ánh", "#fb:send"), CANCEL))


def _on_confirm(event: Event, ctx: Context, data: dict[str, Any]) -> list[Reply]:
    if event.kind == "text" and match(event.text, ANSWERS) == "send":
        return _submit(ctx, event, data)
    return _to_confirm(ctx, event, data)


def _submit(ctx: Context, event: Event, data: dict[str, Any]) -> list[Reply]:
    ticket = tickets.create(ctx.storage, event.user_id or "", data, ctx.now)
    flow_state.clear(ctx.storage, event.user_id or "")
    return [Reply(text=f"Đã tiếp nhận phản ánh của bạn, mã số {ticket.code}.\nCán bộ sẽ xem xét và phản hồi qua "
                       f"Zalo này. Để xem tình trạng, bạn nhắn «tra cứu {ticket.code}».",
                  buttons=(button("Xem tình trạng", f"#ticket:{ticket.code}"),))]


def _save(ctx: Context, event: Event, step: str, data: dict[str, Any]) -> None:
    flow_state.save(ctx.storage, event.user_id or "", State(FLOW, step, data), ctx.now)


STEPS = {"topic": _on_topic, "content": _on_content, "contact": _on_contact, "confirm": _on_confirm}
