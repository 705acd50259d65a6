"""Feedback flow → ticket, lookup, cancel, restart in the middle, idle expiry.

Through the dispatch in-process (tests/dispatchkit.py); the full flow with a shared contact also
runs end to end through the webhook and the fake Zalo."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConversationSettings
from bot.replies import Reply
from tests.conv_support import Chat, rows, sample_kit, write_kb
from tests.dispatchkit import Citizen, Kit, shown
from tests.harness import Harness

YEAR = datetime.now().year
CODE = f"PA-{YEAR}-000001"
BANNER = "https://example.invalid/banner.png"
TOPIC_PROMPT = ("Bạn muốn phản ánh, kiến nghị về vấn đề gì? Chọn một mục bên dưới hoặc nhắn ngắn gọn chủ đề.",
                ["Thủ tục, giấy tờ hành chính", "Thái độ, trách nhiệm của cán bộ", "Dịch vụ công trực tuyến",
                 "Vấn đề khác", "Hủy"])
CONTENT_PROMPT = ("Bạn vui lòng nhập nội dung phản ánh, kiến nghị: sự việc, thời gian, địa điểm cụ thể. "
                  "Có thể gửi kèm hình ảnh.", ["Hủy"])
MORE = "Bạn có thể gửi thêm chữ hoặc hình ảnh, hoặc bấm «Tiếp tục»."
PHONE_PROMPT = ("Bạn có muốn để lại số điện thoại để cán bộ liên hệ khi cần không? "
                "Nhập số điện thoại, hoặc bấm «Bỏ qua».", ["Bỏ qua", "Hủy"])


def settings(**overrides) -> ConversationSettings:
    return ConversationSettings(flood_max_messages=0, **overrides)


@pytest.fixture
def kit(tmp_path):
    return sample_kit(tmp_path)


def confirm(topic: str, content: str, images: int, contact: str) -> tuple:
    return (f"Bạn kiểm tra lại phản ánh:\n- Chủ đề: {topic}\n- Nội dung: {content}\n- Hình ảnh: {images}\n"
            f"- Liên hệ: {contact}\nBấm «Gửi phản ánh» để gửi.", ["Gửi phản ánh", "Hủy"])


def received(code: str) -> tuple:
    return (f"Đã tiếp nhận phản ánh của bạn, mã số {code}.\nCán bộ sẽ xem xét và phản hồi qua Zalo này. "
            f"Để xem tình trạng, bạn nhắn «tra cứu {code}».", ["Xem tình trạng"])


@pytest.mark.parametrize("command", ["phản ánh", "phan anh", "Gửi phản ánh", "gui phan anh kien nghi", "góp ý",
                                     "phản ảnh"])
def test_feedback_command_in_any_spelling(kit, command):
    assert shown(kit.citizen("u1").say(command)) == [TOPIC_PROMPT]


def test_full_flow_with_image_and_shared_contact_end_to_end(tmp_path, fake_zalo):
    """Through the signed webhook, the workers and the fake Zalo: the contact request is a real
    request_user_info message, the shared contact arrives as a user_submit_info event."""
    with Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb"),
                 conversations=settings(contact_banner_url=BANNER)) as h:
        chat = Chat(h, "u1")
        chat.say("phản ánh")
        assert chat.click("Thái độ, trách nhiệm của cán bộ") == [CONTENT_PROMPT]
        assert chat.say("Cán bộ một cửa xã A hẹn lại nhiều lần") == [
            ("Đã ghi nhận nội dung. " + MORE, ["Tiếp tục", "Hủy"])]
        assert chat.send_image() == [("Đã nhận hình ảnh. " + MORE, ["Tiếp tục", "Hủy"])]
        assert chat.say("ngày 3/11 và 10/11") == [("Đã ghi nhận nội dung. " + MORE, ["Tiếp tục", "Hủy"])]
        contact = chat.click("Tiếp tục")
        assert contact == [("", []), (
            "Bạn có muốn để lại thông tin liên hệ để cán bộ liên hệ khi cần không? Bấm vào yêu cầu ở trên để chia "
            "sẻ, nhập số điện thoại, hoặc bấm «Bỏ qua».", ["Bỏ qua", "Hủy"])]
        assert chat.last[0].body["message"]["attachment"]["payload"] == {
            "template_type": "request_user_info",
            "elements": [{"title": "UBND tỉnh", "subtitle": "Chia sẻ thông tin liên hệ cho cán bộ xử lý phản ánh",
                          "image_url": BANNER}]}
        assert chat.submit_info("Nguyễn Văn A", "84912345678") == [confirm(
            "Thái độ, trách nhiệm của cán bộ", "Cán bộ một cửa xã A hẹn lại nhiều lần\nngày 3/11 và 10/11", 1,
            "Nguyễn Văn A, 84912345678")]
        assert chat.click("Gửi phản ánh") == [received(CODE)]
        assert rows(h, "SELECT code, user_id, topic, attachments, contact_name, contact_phone, status FROM tickets") == [
            (CODE, "u1", "Thái độ, trách nhiệm của cán bộ", '["https://example.invalid/x"]', "Nguyễn Văn A",
             "84912345678", "open")]
        assert chat.say("#fb:send") == [(  # the same button pressed again
            "Phản ánh này đã được gửi hoặc đã hết thời gian soạn. Bạn bấm nút dưới đây để bắt đầu lại.",
            ["Gửi phản ánh mới"])]


def test_shared_contact_is_asked_with_a_request_info_reply(tmp_path):
    kit = sample_kit(tmp_path, contact_banner_url=BANNER)
    citizen = kit.citizen("u1")
    citizen.say("phản ánh")
    citizen.tap("Vấn đề khác")
    citizen.say("Nội dung")
    assert citizen.tap("Tiếp tục") == [Reply(
        text="Bạn có muốn để lại thông tin liên hệ để cán bộ liên hệ khi cần không? Bấm vào yêu cầu ở trên để chia "
             "sẻ, nhập số điện thoại, hoặc bấm «Bỏ qua».", buttons=citizen.last[0].buttons,
        request_info=("UBND tỉnh", "Chia sẻ thông tin liên hệ cho cán bộ xử lý phản ánh", BANNER))]
    assert shown(citizen.submit_info("Nguyễn Văn A", "84912345678")) == [
        confirm("Vấn đề khác", "Nội dung", 0, "Nguyễn Văn A, 84912345678")]


def test_typed_topic_phone_and_confirmation(kit):
    citizen = kit.citizen("u1")
    citizen.say("gui phan anh")
    assert shown(citizen.say("đèn đường hỏng")) == [CONTENT_PROMPT]
    citizen.say("Đèn đường thôn 3 hỏng một tháng nay")
    assert shown(citizen.tap("Tiếp tục")) == [PHONE_PROMPT]
    assert shown(citizen.say("tên tôi là An")) == [PHONE_PROMPT]
    assert shown(citizen.say("sđt 0912 345 678")) == [
        confirm("đèn đường hỏng", "Đèn đường thôn 3 hỏng một tháng nay", 0, "0912345678")]
    assert shown(citizen.say("gửi")) == [received(CODE)]
    assert shown(citizen.say("phản ánh")) == [TOPIC_PROMPT]
    citizen.tap("Vấn đề khác")
    citizen.say("Nội dung thứ hai")
    citizen.tap("Tiếp tục")
    assert shown(citizen.tap("Bỏ qua")) == [confirm("Vấn đề khác", "Nội dung thứ hai", 0, "không để lại")]
    assert shown(citizen.tap("Gửi phản ánh")) == [received(f"PA-{YEAR}-000002")]
    assert kit.rows("SELECT code, topic, contact_phone, status FROM tickets ORDER BY code") == [
        (CODE, "đèn đường hỏng", "0912345678", "open"), (f"PA-{YEAR}-000002", "Vấn đề khác", None, "open")]


def test_continue_without_content_is_refused(kit):
    citizen = kit.citizen("u1")
    citizen.say("phản ánh")
    citizen.tap("Vấn đề khác")
    citizen.send_image()
    assert shown(citizen.tap("Tiếp tục")) == [
        ("Bạn chưa nhập nội dung phản ánh. Bạn vui lòng nhập nội dung bằng chữ.", ["Hủy"])]


@pytest.mark.parametrize("cancel", ["hủy", "huy", "Huỷ", "thôi", "hủy bỏ"])
def test_cancel_leaves_the_flow_in_one_step(kit, cancel):
    citizen = kit.citizen("u1")
    citizen.say("phản ánh")
    citizen.tap("Vấn đề khác")
    assert shown(citizen.say(cancel)) == [
        ("Đã hủy phản ánh đang soạn. Bạn cần hỗ trợ gì khác cứ nhắn nhé.", ["Xem danh mục"])]
    assert citizen.say("dang ky tam tru")[0].text.startswith("Trả lời: Đăng ký tạm trú")
    assert kit.rows("SELECT count(*) FROM conversation_state") == [(0,)]


def test_cancel_button_and_nothing_to_cancel(kit):
    citizen = kit.citizen("u1")
    citizen.say("phản ánh")
    assert citizen.tap("Hủy")[0].text == "Đã hủy phản ánh đang soạn. Bạn cần hỗ trợ gì khác cứ nhắn nhé."
    assert shown(citizen.say("hủy")) == [("Hiện không có thao tác nào đang dở để hủy. "
                                          "Nếu muốn ngừng nhận tin thông báo, bạn nhắn «hủy nhận tin».", [])]


def test_a_command_in_the_middle_drops_the_draft_and_says_so(kit):
    citizen = kit.citizen("u1")
    citizen.say("phản ánh")
    citizen.tap("Vấn đề khác")
    replies = citizen.say("menu")
    assert replies[0] == Reply(text="Đã hủy phản ánh đang soạn.")
    assert replies[1].text.startswith("Xin chào! Tôi là trợ lý ảo")


def test_restart_in_the_middle_of_the_flow(tmp_path):
    """The draft lives in the database: a new process (a new bot on the same file) goes on with it."""
    kb = write_kb(tmp_path / "kb")
    citizen = Kit(tmp_path, knowledge_dir=kb, conversations=settings()).citizen("u1")
    citizen.say("phản ánh")
    citizen.tap("Dịch vụ công trực tuyến")
    citizen.say("Nộp hồ sơ trực tuyến bị lỗi thanh toán")
    citizen.kit = Kit(tmp_path, knowledge_dir=kb, conversations=settings())
    assert shown(citizen.tap("Tiếp tục")) == [PHONE_PROMPT]
    assert shown(citizen.tap("Bỏ qua")) == [
        confirm("Dịch vụ công trực tuyến", "Nộp hồ sơ trực tuyến bị lỗi thanh toán", 0, "không để lại")]
    assert shown(citizen.tap("Gửi phản ánh")) == [received(CODE)]


def test_idle_draft_expires_with_a_notice(kit):
    citizen = kit.citizen("u1")
    citizen.say("phản ánh")
    citizen.tap("Vấn đề khác")
    kit.advance(minutes=29)
    assert shown(citizen.say("Cây đổ")) == [("Đã ghi nhận nội dung. " + MORE, ["Tiếp tục", "Hủy"])]
    kit.advance(minutes=31)  # the idle limit is 30 minutes since the draft's last step
    assert shown(citizen.say("dang ky tam tru")) == [
        ("Do quá lâu không có phản hồi, phản ánh đang soạn đã được hủy.", []),
        ("Trả lời: Đăng ký tạm trú như thế nào? Hỏi thêm 1900 1234.", ["Hữu ích", "Chưa đúng"])]


def file_ticket(citizen: Citizen) -> None:
    citizen.say("phản ánh")
    citizen.tap("Vấn đề khác")
    citizen.say("Nội dung")
    citizen.tap("Tiếp tục")
    citizen.tap("Bỏ qua")
    citizen.tap("Gửi phản ánh")


@pytest.mark.parametrize("lookup", [f"tra cứu {CODE}", f"tra cuu pa-{YEAR}-000001", f"PA {YEAR} 1", CODE.lower()])
def test_lookup_own_ticket_in_any_spelling(kit, lookup):
    citizen = kit.citizen("u1")
    file_ticket(citizen)
    day = kit.now.astimezone(ZoneInfo(kit.config.timezone)).strftime("%d/%m/%Y")
    expected = [(f"Phản ánh {CODE} (Vấn đề khác), gửi ngày {day}.\nTình trạng: Đã tiếp nhận, đang chờ xử lý.", [])]
    assert shown(citizen.tap("Xem tình trạng")) == expected
    assert shown(citizen.say(lookup)) == expected
    assert shown(kit.citizen("u2").say(lookup)) == [(f"Không tìm thấy phản ánh mã {CODE} của bạn. Bạn kiểm tra lại mã "
                                                     "(dạng PA-2025-000123) nhé.", [])]


def test_images_at_any_step_and_other_media_refused(kit):
    citizen = kit.citizen("u1")
    citizen.say("phản ánh")
    assert shown(citizen.send_image()) == [("Đã nhận hình ảnh. " + TOPIC_PROMPT[0], TOPIC_PROMPT[1])]
    citizen.say("Cây đổ")
    citizen.say("Cây đổ chắn đường liên xã")
    citizen.tap("Tiếp tục")
    assert shown(citizen.send_image()) == [("Đã nhận hình ảnh. " + PHONE_PROMPT[0], PHONE_PROMPT[1])]
    assert shown(citizen.send_media("sticker")) == [
        ("Phản ánh chỉ nhận chữ và hình ảnh. " + PHONE_PROMPT[0], PHONE_PROMPT[1])]
    assert shown(citizen.tap("Bỏ qua")) == [confirm("Cây đổ", "Cây đổ chắn đường liên xã", 2, "không để lại")]
