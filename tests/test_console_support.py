"""Tickets, handoffs, knowledge and unanswered pages, and the dashboard, through the real app."""

from __future__ import annotations

import re
import time

import pytest

from bot.clock import utc_now
from bot.conversations import citizens, handoffs, tickets
from bot.knowledge import unanswered
from tests.consolekit import console_harness, login, post, visible


@pytest.fixture
def h(tmp_path, fake_zalo):
    harness = console_harness(tmp_path, fake_zalo)
    login(harness.client, "tiepnhan")
    yield harness
    harness.runtime.stop()


def ticket(h, user_id="cd1", days_since_contact=0.0):
    storage = h.runtime.storage
    citizens.record_interaction(storage, user_id, int((time.time() - days_since_contact * 86400) * 1000))
    return tickets.create(storage, user_id, {"topic": "Đất đai", "content": "Hồ sơ chậm trả kết quả",
                                             "contact": {"name": "Nguyễn Văn A", "phone": "0912345678"}}, utc_now())


def test_ticket_list_filters_and_shows_age_and_deadline(h):
    first = ticket(h)
    second = ticket(h, "cd2")
    tickets.close(h.runtime.storage, second.code, utc_now())
    listing = visible(h.client.get("/console/tickets/").get_data(as_text=True))
    assert first.code in listing and second.code not in listing and "Chờ xử lý" in listing
    assert "Hạn xử lý" in listing and "1 phút" in listing
    closed = visible(h.client.get("/console/tickets/?status=closed").get_data(as_text=True))
    assert second.code in closed and first.code not in closed
    searched = visible(h.client.get("/console/tickets/?status=all&q=chậm trả").get_data(as_text=True))
    assert first.code in searched and second.code in searched
    assert first.code not in visible(h.client.get("/console/tickets/?status=all&q=không có").get_data(as_text=True))


def test_reply_inside_the_7_day_window_reaches_the_citizen(h, fake_zalo):
    t = ticket(h)
    page = h.client.get(f"/console/tickets/{t.code}").get_data(as_text=True)
    assert "trong 7 ngày" in page and "gửi ngay" in page
    response = post(h.client, f"/console/tickets/{t.code}/reply", {"text": "Hồ sơ của anh đã được xử lý."},
                    page=f"/console/tickets/{t.code}")
    assert response.status_code == 302
    sent = h.wait_sent("cd1", 1)
    assert "Hồ sơ của anh đã được xử lý." in sent[0].text and t.code in sent[0].text
    after = visible(h.client.get(f"/console/tickets/{t.code}").get_data(as_text=True))
    assert "Đã gửi câu trả lời" in after and "tiepnhan · đã gửi" in after
    assert tickets.get(h.runtime.storage, t.code).status == "answered"


def test_outside_the_window_the_page_says_the_reply_is_held_before_sending(h, fake_zalo):
    t = ticket(h, days_since_contact=9)
    page = visible(h.client.get(f"/console/tickets/{t.code}").get_data(as_text=True))
    assert "chỉ gửi được tin tư vấn cho người đã tương tác trong 7 ngày" in page and "giữ lại" in page
    post(h.client, f"/console/tickets/{t.code}/reply", {"text": "Đã xử lý xong.", "close": "1"},
         page=f"/console/tickets/{t.code}")
    after = visible(h.client.get(f"/console/tickets/{t.code}").get_data(as_text=True))
    assert "sẽ tự gửi khi họ nhắn lại" in after and "chờ người dân nhắn lại" in after
    assert not fake_zalo.sent("cd1")
    assert tickets.get(h.runtime.storage, t.code).status == "closed"


def test_empty_reply_is_refused_next_to_the_field_and_close_works(h):
    t = ticket(h)
    empty = post(h.client, f"/console/tickets/{t.code}/reply", {"text": "   "}, page=f"/console/tickets/{t.code}")
    assert empty.status_code == 400 and "Nhập nội dung trả lời" in empty.get_data(as_text=True)
    post(h.client, f"/console/tickets/{t.code}/close", page=f"/console/tickets/{t.code}")
    assert tickets.get(h.runtime.storage, t.code).status == "closed"
    assert h.client.get("/console/tickets/PA-1999-000001").status_code == 404


def test_handoff_shows_the_conversation_and_can_be_closed(h):
    handoffs.open_handoff(h.runtime.storage, "cd9", utc_now())
    h.text("cd9", "Tôi cần gặp cán bộ về hồ sơ đất")
    h.wait_idle()
    listing = visible(h.client.get("/console/tickets/").get_data(as_text=True))
    assert "cd9" in listing and "Xem tin nhắn" in listing
    history = visible(h.client.get("/console/tickets/handoffs/cd9").get_data(as_text=True))
    assert "Tôi cần gặp cán bộ về hồ sơ đất" in history and "Người dân" in history
    post(h.client, "/console/tickets/handoffs/cd9/close", page="/console/tickets/handoffs/cd9")
    assert handoffs.count_open(h.runtime.storage) == 0


def test_try_asking_shows_the_answer_and_why(h):
    page = visible(h.client.get("/console/knowledge?ask=dang ky tam tru o dau").get_data(as_text=True))
    assert "Quyết định: Trả lời thẳng" in page and "Bạn đăng ký tạm trú tại Công an cấp xã" in page
    assert re.search(r"Vì sao: .* \d\.\d\d — tam-tru", page)
    unsure = visible(h.client.get("/console/knowledge?ask=thời tiết hôm nay").get_data(as_text=True))
    assert "Quyết định: Chưa có thông tin" in unsure
    searched = visible(h.client.get("/console/knowledge?q=khai sinh").get_data(as_text=True))
    assert "khai-sinh" in searched and "tam-tru" not in searched


def log_question(h, text, reason="fallback"):
    matcher = h.runtime.knowledge.current.matcher
    unanswered.record(h.runtime.storage, text, matcher.answer(text), reason, asker="x")


def test_unanswered_question_becomes_an_alternative_with_comments_kept(h, tmp_path):
    log_question(h, "xin giấy phép nuôi chim yến ở đâu")
    log_question(h, "khai sinh cho bé mà bố mẹ chưa cưới", "rated_wrong")
    page = visible(h.client.get("/console/unanswered").get_data(as_text=True))
    assert "xin giấy phép nuôi chim yến ở đâu" in page and "người dân bấm “Chưa đúng”" in page
    html = h.client.get("/console/unanswered").get_data(as_text=True)
    far = html[html.index('data-question="xin giấy phép nuôi chim yến ở đâu"'):]
    assert re.search(r'name="entry_id" list="entry-ids" value=""', far.split("</section>")[0])  # no poor guess
    assert "Chưa có mục nào đủ gần" in far.split("</section>")[0]
    path = tmp_path / "knowledge" / "thu-tuc.yaml"
    before = path.read_text(encoding="utf-8")
    response = post(h.client, "/console/unanswered/alternative",
                    {"question": "khai sinh cho bé mà bố mẹ chưa cưới", "entry_id": "khai-sinh"},
                    page="/console/unanswered")
    assert response.status_code == 302
    after = path.read_text(encoding="utf-8")
    assert "      - khai sinh cho bé mà bố mẹ chưa cưới\n" in after
    assert after.startswith("# A tiny knowledge base")
    assert len(after.splitlines()) == len(before.splitlines()) + 1
    shown = visible(h.client.get("/console/unanswered").get_data(as_text=True))
    assert "Đã thêm “khai sinh cho bé mà bố mẹ chưa cưới” vào cách hỏi của mục khai-sinh" in shown


def test_unanswered_errors_keep_the_input_and_change_nothing(h, tmp_path):
    log_question(h, "xin giấy phép nuôi chim yến ở đâu")
    files = {p: p.read_text(encoding="utf-8") for p in (tmp_path / "knowledge").glob("*.yaml")}
    unknown = post(h.client, "/console/unanswered/alternative",
                   {"question": "xin giấy phép nuôi chim yến ở đâu", "entry_id": "khai-sinhh",
                    "key": "xin giay phep nuoi chim yen o dau"}, page="/console/unanswered")
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 409 and "có phải ý bạn là `khai-sinh`" in html
    assert 'value="khai-sinhh"' in html
    bad_id = post(h.client, "/console/unanswered/entry",
                  {"topic": "thu-tuc", "entry_id": "Nuôi Chim Yến", "question": "xin giấy phép nuôi chim yến ở đâu",
                   "answer": "Liên hệ UBND cấp xã.", "key": "xin giay phep nuoi chim yen o dau"},
                  page="/console/unanswered")
    assert bad_id.status_code == 409 and "Không lưu" in bad_id.get_data(as_text=True)
    assert "Liên hệ UBND cấp xã." in bad_id.get_data(as_text=True)
    assert {p: p.read_text(encoding="utf-8") for p in files} == files


def test_unanswered_question_starts_a_new_entry_that_the_bot_then_answers(h, tmp_path):
    log_question(h, "xin giấy phép nuôi chim yến ở đâu")
    response = post(h.client, "/console/unanswered/entry",
                    {"topic": "thu-tuc", "entry_id": "thu-tuc-nuoi-chim-yen",
                     "question": "Xin giấy phép nuôi chim yến ở đâu?",
                     "answer": "Nộp hồ sơ tại UBND cấp huyện.\nHỗ trợ: {hotline}."}, page="/console/unanswered")
    assert response.status_code == 302
    text = (tmp_path / "knowledge" / "thu-tuc.yaml").read_text(encoding="utf-8")
    assert "  - id: thu-tuc-nuoi-chim-yen\n    question: Xin giấy phép nuôi chim yến ở đâu?\n" in text
    deadline = time.monotonic() + 10
    while h.runtime.knowledge.current.kb.get("thu-tuc-nuoi-chim-yen") is None and time.monotonic() < deadline:
        time.sleep(0.1)
    answer = visible(h.client.get("/console/knowledge?ask=xin giấy phép nuôi chim yến ở đâu").get_data(as_text=True))
    assert "thu-tuc-nuoi-chim-yen" in answer


def test_dashboard_counts_come_from_the_tables(h):
    ticket(h)
    handoffs.open_handoff(h.runtime.storage, "cd7", utc_now())
    citizens.set_following(h.runtime.storage, "cd1", True, int(time.time() * 1000))
    h.text("cd1", "dang ky tam tru o dau")
    h.wait_sent("cd1", 1)
    log_question(h, "câu hỏi lạ không ai trả lời")
    page = visible(h.client.get("/console/").get_data(as_text=True))
    assert re.search(r"Hôm nay 2 câu hỏi .*Trả lời: 1 .*Chưa có thông tin: 1", page)  # as the report counts
    assert "1 phản ánh chờ xử lý" in page and "1 người dân đang chờ cán bộ" in page and "1 người quan tâm OA" in page
