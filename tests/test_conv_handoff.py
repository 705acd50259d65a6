"""Handoff to staff: the bot stays silent, staff echoes keep it open, it ends by staff, timeout or citizen."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.config import ConversationSettings
from tests.conv_support import Chat, rows, write_kb
from tests.harness import ADMIN_TOKEN, REPO, Harness, echo_event

ALWAYS = dict(staff_days=(0, 1, 2, 3, 4, 5, 6), staff_periods=("00:00-24:00",))
HOURS = "Sáng 7:30–11:30, chiều 13:30–17:00, từ thứ Hai đến thứ Sáu (trừ ngày lễ, Tết)"
TAIL = "\nTrong lúc chờ, trợ lý ảo tạm ngừng trả lời. Việc gấp, bạn gọi 1900 1234."
ANSWER = ("Trả lời: Đăng ký tạm trú như thế nào? Hỏi thêm 1900 1234.", ["Hữu ích", "Chưa đúng"])
ENDED = ("Phiên trao đổi với cán bộ đã kết thúc, trợ lý ảo tiếp tục hỗ trợ bạn. "
         "Cần gặp lại cán bộ, bạn nhắn «gặp cán bộ».", [])


def harness(tmp_path, fake_zalo, **conversation) -> Harness:
    return Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb"),
                   conversations=ConversationSettings(flood_max_messages=0, **conversation))


@pytest.fixture
def h(tmp_path, fake_zalo):
    with harness(tmp_path, fake_zalo, **ALWAYS) as started:
        yield started


def shift_handoffs(h, hours: float) -> None:
    """As if `hours` had passed since every handoff's last activity."""
    with h.runtime.storage.connect() as db:
        db.execute("UPDATE handoffs SET last_activity_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', last_activity_at, ?)",
                   [f"-{hours * 3600} seconds"])


@pytest.mark.parametrize("text", ["gặp cán bộ", "gap can bo", "Cho em gặp cán bộ với ạ", "gap cb", "gặp cán bộ!!",
                                  "gặp cán bô"])
def test_handoff_in_any_spelling_during_working_hours(h, text):
    assert Chat(h, "u1").say(text) == [(
        "Tôi đã chuyển cuộc trò chuyện cho cán bộ của UBND tỉnh. Cán bộ sẽ trả lời bạn ngay tại đây trong thời gian "
        f"sớm nhất (giờ làm việc: {HOURS})." + TAIL, ["Quay lại trợ lý ảo"])]


def test_handoff_outside_working_hours_says_when_staff_work(tmp_path, fake_zalo):
    with harness(tmp_path, fake_zalo, staff_days=(), staff_hours_text="7:30–17:00 các ngày làm việc") as h:
        assert Chat(h, "u1").say("gặp cán bộ")[0][0] == (
            "Tôi đã chuyển cuộc trò chuyện cho cán bộ của UBND tỉnh. Hiện đang ngoài giờ làm việc; cán bộ sẽ trả lời "
            "bạn tại đây vào giờ làm việc: 7:30–17:00 các ngày làm việc." + TAIL)


def test_silent_while_handed_off_then_back_when_staff_close(h):
    chat = Chat(h, "u1")
    chat.say("gặp cán bộ")
    assert chat.say("dang ky tam tru") == []
    assert chat.say("menu") == []
    assert chat.send_image() == []
    assert Chat(h, "u2").say("dang ky tam tru") == [ANSWER]  # others still get answers
    listed = h.client.get("/admin/api/handoffs", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()
    assert [r["user_id"] for r in listed["handoffs"]] == ["u1"]
    closed = h.client.post("/admin/api/handoffs/u1/close", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert closed.get_json() == {"ok": True}
    assert chat.say("dang ky tam tru") == [ENDED, ANSWER]
    assert chat.say("dang ky tam tru") == [ANSWER]


def test_staff_echoes_keep_the_handoff_open_until_the_timeout(h):
    quiet, answered = Chat(h, "quiet"), Chat(h, "answered")
    quiet.say("gặp cán bộ")
    answered.say("gặp cán bộ")
    shift_handoffs(h, 20)
    answered.post(echo_event("answered", "Chào bạn, tôi là cán bộ một cửa."))
    shift_handoffs(h, 5)  # 25 h since the request, 5 h since the staff message; the timeout is 24 h
    assert answered.say("dang ky tam tru") == []
    assert quiet.say("dang ky tam tru") == [ENDED, ANSWER]
    assert rows(h, "SELECT user_id, status, closed_by FROM handoffs ORDER BY id") == [
        ("quiet", "closed", "timeout"), ("answered", "open", None)]


def test_citizen_can_go_back_to_the_bot(h):
    chat = Chat(h, "u1")
    chat.say("gặp cán bộ")
    assert chat.click("Quay lại trợ lý ảo") == [
        ("Trợ lý ảo đã sẵn sàng trả lời bạn trở lại. Bạn cứ nhắn câu hỏi, hoặc xem danh mục.", ["Xem danh mục"])]
    assert chat.say("dang ky tam tru") == [ANSWER]


def test_handoff_drops_an_open_draft(h):
    chat = Chat(h, "u1")
    chat.say("phản ánh")
    replies = chat.say("gặp cán bộ")
    assert replies[0] == ("Đã hủy phản ánh đang soạn.", [])
    assert chat.say("nội dung sau khi chuyển cán bộ") == []


def test_cli_lists_and_closes(h, monkeypatch, capsys):
    Chat(h, "u1").say("gặp cán bộ")
    monkeypatch.setenv("BOT_CONFIG", str(REPO / "config.yaml"))
    monkeypatch.setenv("BOT_DATABASE", h.config.database)
    assert main(["handoffs", "list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("u1  -  mở ") and out.endswith("1 cuộc trò chuyện.\n")
    assert main(["handoffs", "close", "u1"]) == 0
    assert main(["handoffs", "close", "u1"]) == 1
    assert main(["handoffs", "list"]) == 0
    assert capsys.readouterr().out.endswith("0 cuộc trò chuyện.\n")
