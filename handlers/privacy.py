""""Xóa dữ liệu của tôi": say what will be deleted and kept, ask for confirmation, then erase
(bot/conversations/erasure.py). Confirmation is a button or the words "xác nhận xóa", and only while the
request is fresh, so nothing typed later by accident can delete anything.

Zalo's own `user_withdraw` (the citizen asked Zalo to withdraw their data from the OA) was
confirmed in Zalo: it is erased at once, the withdrawal event included, and answered with nothing,
since a message would store the citizen's id again."""

from __future__ import annotations

from bot.conversations import erasure, flow_state
from bot.conversations.flow_state import State
from bot.core import Context
from bot.events import Event
from bot.replies import Reply, button

FLOW = "delete"


def ask(event: Event, ctx: Context) -> list[Reply]:
    flow_state.save(ctx.storage, event.user_id or "", State(FLOW, "confirm"), ctx.now)
    return [Reply(text=ctx.render(
        "Bạn muốn xóa dữ liệu cá nhân của mình tại {agency_short}?\n"
        "Sẽ bị xóa: tin nhắn đã trao đổi, thông tin hồ sơ Zalo đã lưu, đăng ký nhận tin, đánh giá câu trả lời. "
        "Phản ánh bạn đã gửi vẫn được cơ quan xử lý nhưng không còn gắn với tài khoản và thông tin liên hệ của bạn. "
        "Sau khi xóa, bạn sẽ không nhận tin thông báo nữa. Việc xóa không thể hoàn tác.\n"
        "Bấm «Xác nhận xóa» (hoặc nhắn «xác nhận xóa») để tiếp tục."),
        buttons=(button("Xác nhận xóa", "#delete:yes"), button("Hủy", "#cancel")))]


def confirm(event: Event, ctx: Context) -> list[Reply]:
    state = flow_state.load(ctx.storage, event.user_id or "")
    if state is None or state.flow != FLOW:
        return [Reply(text="Yêu cầu xóa dữ liệu chưa được tạo hoặc đã hết hạn. "
                           "Nếu muốn xóa, bạn nhắn «xóa dữ liệu của tôi».")]
    erasure.erase(ctx.storage, event.user_id or "", ctx.now)
    return [Reply(text=ctx.render(
        "Đã xóa dữ liệu cá nhân của bạn tại {agency_short}; bạn sẽ không nhận tin thông báo nữa. "
        "Nếu bạn nhắn tin tiếp, trợ lý ảo vẫn trả lời và tin nhắn mới được lưu theo chính sách bảo vệ dữ liệu cá nhân."))]


def is_withdrawal(event: Event, ctx: Context) -> bool:
    return event.name == "user_withdraw" and bool(event.user_id)


def withdraw(event: Event, ctx: Context) -> list[Reply]:
    erasure.erase(ctx.storage, event.user_id or "", ctx.now, handled=event.dedupe_key)
    return []


def on_payload(event: Event, ctx: Context, argument: str) -> list[Reply]:
    """`#delete:yes`."""
    return confirm(event, ctx) if argument == "yes" else ask(event, ctx)
