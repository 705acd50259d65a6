"""Welcome, menu, topic browsing, answers with ratings, small talk, non-text messages, flood limit.

Through the dispatch in-process (tests/dispatchkit.py); an answer with its buttons also runs end to
end through the webhook and the fake Zalo, which checks the buttons as Zalo receives them."""

from __future__ import annotations

import pytest

from bot.config import ConversationSettings
from bot.replies import Reply, query_button, url_button
from tests.conv_support import Chat, sample_kit, write_kb
from tests.dispatchkit import shown
from tests.harness import Harness

INTRO = ("giải đáp thủ tục hành chính và thông tin cải cách hành chính. Bạn chọn lĩnh vực bên dưới "
         "hoặc nhắn câu hỏi, ví dụ: \"làm căn cước cần gì\".")
TOPICS_PAGE_1 = ["Căn cước", "Cư trú", "Đất đai", "Hộ chiếu", "Lĩnh vực khác"]
SERVICES = ("Bạn cũng có thể:", ["Gửi phản ánh, kiến nghị", "Đăng ký nhận tin", "Gặp cán bộ"])


@pytest.fixture
def kit(tmp_path):
    return sample_kit(tmp_path)


def menu(kit) -> list:
    return [(f"Xin chào! Tôi là trợ lý ảo của {kit.config.agency.name}, " + INTRO, TOPICS_PAGE_1), SERVICES]


def test_follow_gets_greeting_with_topics_and_services(kit):
    assert shown(kit.citizen("u1").follow()) == [
        (f"Xin chào, cảm ơn bạn đã quan tâm Zalo OA của {kit.config.agency.name}!\nTôi là trợ lý ảo, " + INTRO,
         TOPICS_PAGE_1),
        SERVICES,
    ]


@pytest.mark.parametrize("text", ["menu", "MENU", "Menu ạ", "bắt đầu", "bat dau", "Bắt đầu!", "hướng dẫn",
                                  "huong dan", "huơng dẫn", "hướng dẫn sử dụng", "cho em xem menu với"])
def test_menu_command_in_any_spelling(kit, text):
    assert shown(kit.citizen("u1").say(text)) == menu(kit)


def test_tapping_chat_on_the_oa_profile_opens_the_menu(kit):
    tap = {"event_name": "user_click_chatnow", "app_id": kit.config.secrets.app_id, "user_id": "u1",
           "oa_id": "1646843870823903717", "timestamp": "0"}
    assert shown(kit.citizen("u1").send(tap)) == menu(kit)


def test_topics_and_questions_are_paged(kit):
    citizen = kit.citizen("u1")
    citizen.say("menu")
    assert shown(citizen.tap("Lĩnh vực khác")) == [
        ("Bạn chọn lĩnh vực cần tìm hiểu:", ["Hộ tịch", "Thuế", "Lĩnh vực khác"])]
    assert shown(citizen.tap("Hộ tịch")) == [("Hộ tịch: câu hỏi thường gặp (trang 1/2). Bạn chọn câu hỏi:", [
        "Đăng ký khai sinh cần giấy tờ gì?", "Đăng ký kết hôn làm ở đâu?", "Đăng ký khai tử thế nào?",
        "Thủ tục nhận cha mẹ con?", "Xem thêm"])]
    assert shown(citizen.tap("Xem thêm")) == [("Hộ tịch: câu hỏi thường gặp (trang 2/2). Bạn chọn câu hỏi:", [
        "Cải chính hộ tịch ra sao?", "Xin trích lục bản sao khai sinh ở đâu?", "Lĩnh vực khác"])]
    assert shown(citizen.tap("Lĩnh vực khác"))[0][1] == TOPICS_PAGE_1
    assert shown(citizen.tap("Cư trú")) == [("Cư trú: câu hỏi thường gặp. Bạn chọn câu hỏi:",
                                     ["Đăng ký tạm trú như thế nào?", "Lĩnh vực khác"])]
    assert shown(citizen.tap("Đăng ký tạm trú như thế nào?")) == [
        ("Trả lời: Đăng ký tạm trú như thế nào? Hỏi thêm 1900 1234.", ["Hữu ích", "Chưa đúng"])]


def test_service_buttons_of_the_menu_work(kit):
    citizen = kit.citizen("u1")
    citizen.say("menu")
    assert shown(citizen.tap("Gửi phản ánh, kiến nghị"))[0][0].startswith("Bạn muốn phản ánh, kiến nghị về vấn đề gì?")
    citizen.say("menu")
    assert shown(citizen.tap("Đăng ký nhận tin"))[0][0].endswith("Bạn chọn chủ đề muốn nhận:")
    citizen.say("menu")
    assert shown(citizen.tap("Gặp cán bộ"))[0][0].startswith("Tôi đã chuyển cuộc trò chuyện cho cán bộ")


def test_answer_has_entry_buttons_and_rating(kit):
    citizen = kit.citizen("u1")
    assert citizen.say("dang ky khai sinh can gi") == [Reply(
        text="Trả lời: Đăng ký khai sinh cần giấy tờ gì? Hỏi thêm 1900 1234.",
        buttons=(url_button("Cổng Dịch vụ công", "https://dichvucong.gov.vn"),
                 query_button("Đăng ký kết hôn", "#faq:ket-hon", show=False),
                 query_button("Hữu ích", "#rate:1:up", show=False),
                 query_button("Chưa đúng", "#rate:1:down", show=False)))]
    assert citizen.tap("Đăng ký kết hôn")[0].text == "Trả lời: Đăng ký kết hôn làm ở đâu? Hỏi thêm 1900 1234."


def test_answer_has_entry_buttons_and_rating_end_to_end(tmp_path, fake_zalo):
    """Through the webhook, the workers and the fake Zalo: the buttons as Zalo receives them."""
    with Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb"),
                 conversations=ConversationSettings(flood_max_messages=0)) as h:
        _answer_with_buttons(h)


def _answer_with_buttons(h) -> None:
    chat = Chat(h, "u1")
    assert chat.say("dang ky khai sinh can gi") == [
        ("Trả lời: Đăng ký khai sinh cần giấy tờ gì? Hỏi thêm 1900 1234.",
         ["Cổng Dịch vụ công", "Đăng ký kết hôn", "Hữu ích", "Chưa đúng"])]
    buttons = chat.last[0].buttons
    assert buttons[0] == {"title": "Cổng Dịch vụ công", "type": "oa.open.url",
                          "payload": {"url": "https://dichvucong.gov.vn"}}
    assert buttons[1] == {"title": "Đăng ký kết hôn", "type": "oa.query.hide", "payload": "#faq:ket-hon"}
    assert chat.click("Đăng ký kết hôn")[0][0] == "Trả lời: Đăng ký kết hôn làm ở đâu? Hỏi thêm 1900 1234."


def test_rating_helpful_and_wrong(kit):
    citizen = kit.citizen("u1")
    citizen.say("dang ky tam tru")
    assert shown(citizen.tap("Hữu ích")) == [("Cảm ơn bạn đã đánh giá!", [])]
    citizen.say("lam ho chieu o dau")
    assert shown(citizen.tap("Chưa đúng")) == [(
        "Cảm ơn bạn đã góp ý! Câu hỏi đã được ghi lại để cán bộ bổ sung, chỉnh sửa câu trả lời. "
        "Bạn có thể gặp cán bộ hoặc gọi 1900 1234 để được hướng dẫn.", ["Gặp cán bộ"])]
    assert kit.rows("SELECT entry_id, question, verdict FROM ratings ORDER BY answer_id") == [
        ("tam-tru", "dang ky tam tru", "helpful"), ("ho-chieu", "lam ho chieu o dau", "wrong")]
    assert kit.rows("SELECT question, reason, best_entry_id FROM unanswered") == [
        ("lam ho chieu o dau", "rated_wrong", "ho-chieu")]
    citizen.tap("Gặp cán bộ")
    assert kit.rows("SELECT count(*) FROM unanswered") == [(1,)]  # a second click files nothing more


def test_someone_elses_rating_button_is_refused(kit):
    kit.citizen("u1").say("dang ky tam tru")
    (answer_id,) = kit.rows("SELECT id FROM answer_log")[0]
    assert shown(kit.citizen("u2").say(f"#rate:{answer_id}:down")) == [
        ("Đánh giá này không còn hiệu lực. Cảm ơn bạn đã quan tâm!", [])]
    assert kit.rows("SELECT count(*) FROM ratings") == [(0,)]


def test_fallback_is_honest_and_offers_staff(kit):
    assert shown(kit.citizen("u1").say("xổ số kiến thiết hôm nay")) == [(
        "Xin lỗi, hiện tôi chưa có thông tin về câu hỏi này. Câu hỏi của bạn đã được ghi lại để bổ sung.\n"
        "Bạn có thể gọi 1900 1234 hoặc tra cứu tại https://dichvucong.gov.vn để được hướng dẫn.",
        ["Gọi tổng đài", "Cổng Dịch vụ công", "Gặp cán bộ"])]


@pytest.mark.parametrize("text, answer", [
    ("xin chào", "Xin chào bạn! Tôi là trợ lý ảo của {agency}. Bạn cần hỏi thủ tục gì cứ nhắn, hoặc xem danh mục."),
    ("chao ban", "Xin chào bạn! Tôi là trợ lý ảo của {agency}. Bạn cần hỏi thủ tục gì cứ nhắn, hoặc xem danh mục."),
    ("Cảm ơn ạ", "Không có gì ạ! Bạn cần hỗ trợ thêm cứ nhắn cho tôi nhé."),
    ("cam on nhieu nhe", "Không có gì ạ! Bạn cần hỗ trợ thêm cứ nhắn cho tôi nhé."),
    ("camon", "Không có gì ạ! Bạn cần hỗ trợ thêm cứ nhắn cho tôi nhé."),
    ("tạm biệt", "Tạm biệt bạn! Khi cần hỗ trợ về thủ tục hành chính, bạn cứ nhắn cho UBND tỉnh nhé."),
    ("bye", "Tạm biệt bạn! Khi cần hỗ trợ về thủ tục hành chính, bạn cứ nhắn cho UBND tỉnh nhé."),
    ("bạn là ai?", "Tôi là trợ lý ảo (chương trình tự động) của {agency}, trả lời dựa trên thông tin cán bộ đã "
                   "soạn sẵn. Cần trao đổi trực tiếp, bạn nhắn «gặp cán bộ» hoặc gọi 1900 1234."),
    ("ban la ai", "Tôi là trợ lý ảo (chương trình tự động) của {agency}, trả lời dựa trên thông tin cán bộ đã "
                  "soạn sẵn. Cần trao đổi trực tiếp, bạn nhắn «gặp cán bộ» hoặc gọi 1900 1234."),
    ("ok", "Dạ. Bạn cần hỗ trợ thêm điều gì cứ nhắn nhé."),
])
def test_small_talk_gets_short_answers_and_never_reaches_the_faq(kit, text, answer):
    replies = shown(kit.citizen("u1").say(text))
    assert [r[0] for r in replies] == [answer.replace("{agency}", kit.config.agency.name)]
    assert kit.rows("SELECT count(*) FROM unanswered") == [(0,)]
    assert kit.rows("SELECT count(*) FROM answer_log") == [(0,)]


def test_non_text_message_gets_useful_buttons(kit):
    replies = shown(kit.citizen("u1").send_image())
    assert replies[0][0].startswith("Cảm ơn bạn đã gửi hình ảnh. Trợ lý ảo hiện chỉ đọc được tin nhắn chữ.")
    assert replies[0][1] == ["Xem danh mục", "Gửi phản ánh kèm ảnh", "Gặp cán bộ"]


def test_stale_button_is_answered_gracefully(kit):
    assert shown(kit.citizen("u1").say("#faq:khong-con")) == [
        ("Lựa chọn này không còn hiệu lực. Bạn vui lòng gõ lại câu hỏi nhé.", [])]


def test_flood_gets_one_slow_down_note(tmp_path):
    kit = sample_kit(tmp_path, flood_max_messages=3, flood_window_seconds=60)
    citizen = kit.citizen("u1")
    for _ in range(3):
        assert len(citizen.say("dang ky tam tru")) == 1
    assert shown(citizen.tap("Hữu ích")) == [("Cảm ơn bạn đã đánh giá!", [])]  # clicks are not counted
    assert shown(citizen.say("dang ky tam tru")) == [(
        "Bạn đang gửi nhiều tin nhắn liên tiếp nên tôi tạm dừng trả lời. Bạn vui lòng đợi giây lát rồi "
        "gửi lại câu hỏi chính nhé. Cần gấp, bạn gọi 1900 1234.", [])]
    assert citizen.say("lam ho chieu o dau") == []
    assert citizen.say("xin chào") == []
    assert len(kit.citizen("u2").say("dang ky tam tru")) == 1  # others are not affected
    kit.advance(seconds=61)  # the burst is over
    assert len(citizen.say("dang ky tam tru")) == 1
