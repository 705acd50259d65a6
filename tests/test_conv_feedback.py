"""Feedback flow → ticket, lookup, cancel, restart in the middle, idle expiry."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.config import ConversationSettings
from tests.conv_support import Chat, rows, write_kb
from tests.harness import Harness, media_event

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
def h(tmp_path, fake_zalo):
    with Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb"), conversations=settings()) as harness:
        yield harness


def confirm(topic: str, content: str, images: int, contact: str) -> tuple:
    return (f"Bạn kiểm tra lại phản ánh:\n- Chủ đề: {topic}\n- Nội dung: {content}\n- Hình ảnh: {images}\n"
            f"- Liên hệ: {contact}\nBấm «Gửi phản ánh» để gửi.", ["Gửi phản ánh", "Hủy"])


def received(code: str) -> tuple:
    return (f"Đã tiếp nhận phản ánh của bạn, mã số {code}.\nCán bộ sẽ xem xét và phản hồi qua Zalo này. "
            f"Để xem tình trạng, bạn nhắn «tra cứu {code}».", ["Xem tình trạng"])


@pytest.mark.parametrize("command", ["phản ánh", "phan anh", "Gửi phản ánh", "gui phan anh kien nghi", "góp ý",
                                     "phản ảnh"])
def test_feedback_command_in_any_spelling(h, command):
    assert Chat(h, "u1").say(command) == [TOPIC_PROMPT]


def test_full_flow_with_image_and_shared_contact(tmp_path, fake_zalo):
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


def test_typed_topic_phone_and_confirmation(h):
    chat = Chat(h, "u1")
    chat.say("gui phan anh")
    assert chat.say("đèn đường hỏng") == [CONTENT_PROMPT]
    chat.say("Đèn đường thôn 3 hỏng một tháng nay")
    assert chat.click("Tiếp tục") == [PHONE_PROMPT]
    assert chat.say("tên tôi là An") == [PHONE_PROMPT]
    assert chat.say("sđt 0912 345 678") == [confirm("đèn đường hỏng", "Đèn đường thôn 3 hỏng một tháng nay", 0,
                                                     "0912345678")]
    assert chat.say("gửi") == [received(CODE)]
    assert chat.say("phản ánh") == [TOPIC_PROMPT]
    chat.click("Vấn đề khác")
    chat.say("Nội dung thứ hai")
    chat.click("Tiếp tục")
    assert chat.click("Bỏ qua") == [confirm("Vấn đề khác", "Nội dung thứ hai", 0, "không để lại")]
    assert chat.click("Gửi phản ánh") == [received(f"PA-{YEAR}-000002")]


def test_continue_without_content_is_refused(h):
    chat = Chat(h, "u1")
    chat.say("phản ánh")
    chat.click("Vấn đề khác")
    chat.send_image()
    assert chat.click("Tiếp tục") == [
        ("Bạn chưa nhập nội dung phản ánh. Bạn vui lòng nhập nội dung bằng chữ.", ["Hủy"])]


@pytest.mark.parametrize("cancel", ["hủy", "huy", "Huỷ", "thôi", "hủy bỏ"])
def test_cancel_leaves_the_flow_in_one_step(h, cancel):
    chat = Chat(h, "u1")
    chat.say("phản ánh")
    chat.click("Vấn đề khác")
    assert chat.say(cancel) == [("Đã hủy phản ánh đang soạn. Bạn cần hỗ trợ gì khác cứ nhắn nhé.", ["Xem danh mục"])]
    assert chat.say("dang ky tam tru")[0][0].startswith("Trả lời: Đăng ký tạm trú")
    assert rows(h, "SELECT count(*) FROM conversation_state") == [(0,)]


def test_cancel_button_and_nothing_to_cancel(h):
    chat = Chat(h, "u1")
    chat.say("phản ánh")
    assert chat.click("Hủy")[0][0] == "Đã hủy phản ánh đang soạn. Bạn cần hỗ trợ gì khác cứ nhắn nhé."
    assert chat.say("hủy") == [("Hiện không có thao tác nào đang dở để hủy. "
                                "Nếu muốn ngừng nhận tin thông báo, bạn nhắn «hủy nhận tin».", [])]


def test_a_command_in_the_middle_drops_the_draft_and_says_so(h):
    chat = Chat(h, "u1")
    chat.say("phản ánh")
    chat.click("Vấn đề khác")
    replies = chat.say("menu")
    assert replies[0] == ("Đã hủy phản ánh đang soạn.", [])
    assert replies[1][0].startswith("Xin chào! Tôi là trợ lý ảo")


def test_restart_in_the_middle_of_the_flow(tmp_path, fake_zalo):
    kb = write_kb(tmp_path / "kb")
    with Harness(tmp_path, fake_zalo, knowledge_dir=kb, conversations=settings()) as first:
        chat = Chat(first, "u1")
        chat.say("phản ánh")
        chat.click("Dịch vụ công trực tuyến")
        chat.say("Nộp hồ sơ trực tuyến bị lỗi thanh toán")
    with Harness(tmp_path, fake_zalo, knowledge_dir=kb, conversations=settings()) as second:
        chat.h = second
        assert chat.click("Tiếp tục") == [PHONE_PROMPT]
        assert chat.click("Bỏ qua") == [confirm("Dịch vụ công trực tuyến", "Nộp hồ sơ trực tuyến bị lỗi thanh toán", 0,
                                                "không để lại")]
        assert chat.click("Gửi phản ánh") == [received(CODE)]


def test_idle_draft_expires_with_a_notice(h):
    chat = Chat(h, "u1")
    chat.say("phản ánh")
    chat.click("Vấn đề khác")
    with h.runtime.storage.connect() as db:
        db.execute("UPDATE conversation_state SET updated_at = '2000-01-01T00:00:00.000+00:00'")
    assert chat.say("dang ky tam tru") == [
        ("Do quá lâu không có phản hồi, phản ánh đang soạn đã được hủy.", []),
        ("Trả lời: Đăng ký tạm trú như thế nào? Hỏi thêm 1900 1234.", ["Hữu ích", "Chưa đúng"])]


@pytest.mark.parametrize("lookup", [f"tra cứu {CODE}", f"tra cuu pa-{YEAR}-000001", f"PA {YEAR} 1", CODE.lower()])
def test_lookup_own_ticket_in_any_spelling(h, lookup):
    chat = Chat(h, "u1")
    chat.say("phản ánh")
    chat.click("Vấn đề khác")
    chat.say("Nội dung")
    chat.click("Tiếp tục")
    chat.click("Bỏ qua")
    chat.click("Gửi phản ánh")
    day = datetime.now().strftime("%d/%m/%Y")
    expected = [(f"Phản ánh {CODE} (Vấn đề khác), gửi ngày {day}.\nTình trạng: Đã tiếp nhận, đang chờ xử lý.", [])]
    assert chat.click("Xem tình trạng") == expected
    assert chat.say(lookup) == expected
    assert Chat(h, "u2").say(lookup) == [(f"Không tìm thấy phản ánh mã {CODE} của bạn. Bạn kiểm tra lại mã "
                                          "(dạng PA-2025-000123) nhé.", [])]


def test_images_at_any_step_and_other_media_refused(h):
    chat = Chat(h, "u1")
    chat.say("phản ánh")
    assert chat.send_image() == [("Đã nhận hình ảnh. " + TOPIC_PROMPT[0], TOPIC_PROMPT[1])]
    chat.say("Cây đổ")
    chat.say("Cây đổ chắn đường liên xã")
    chat.click("Tiếp tục")
    assert chat.send_image() == [("Đã nhận hình ảnh. " + PHONE_PROMPT[0], PHONE_PROMPT[1])]
    assert chat.post(media_event("u1", "sticker")) == [
        ("Phản ánh chỉ nhận chữ và hình ảnh. " + PHONE_PROMPT[0], PHONE_PROMPT[1])]
    assert chat.click("Bỏ qua") == [confirm("Cây đổ", "Cây đổ chắn đường liên xã", 2, "không để lại")]
