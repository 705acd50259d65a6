"""Handoff to staff: the bot stays silent, staff echoes keep it open, it ends by staff, timeout or citizen.

Through the dispatch in-process (tests/dispatchkit.py); staff closing a handoff from the admin API
runs end to end through the webhook and the fake Zalo."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.config import ConversationSettings
from tests.conv_support import Chat, sample_kit, write_kb
from tests.dispatchkit import shown
from tests.harness import ADMIN_TOKEN, REPO, Harness

ALWAYS = dict(staff_days=(0, 1, 2, 3, 4, 5, 6), staff_periods=("00:00-24:00",))
HOURS = "Sáng 7:30–11:30, chiều 13:30–17:00, từ thứ Hai đến thứ Sáu (trừ ngày lễ, Tết)"
TAIL = "\nTrong lúc chờ, trợ lý ảo tạm ngừng trả lời. Việc gấp, bạn gọi 1900 1234."
ANSWER = ("Trả lời: Đăng ký tạm trú như thế nào? Hỏi thêm 1900 1234.", ["Hữu ích", "Chưa đúng"])
ENDED = ("Phiên trao đổi với cán bộ đã kết thúc, trợ lý ảo tiếp tục hỗ trợ bạn. "
         "Cần gặp lại cán bộ, bạn nhắn «gặp cán bộ».", [])


def settings(**conversation) -> ConversationSettings:
    return ConversationSettings(flood_max_messages=0, **conversation)


@pytest.fixture
def kit(tmp_path):
    return sample_kit(tmp_path, **ALWAYS)


@pytest.mark.parametrize("text", ["gặp cán bộ", "gap can bo", "Cho em gặp cán bộ với ạ", "gap cb", "gặp cán bộ!!",
                                  "gặp cán bô"])
def test_handoff_in_any_spelling_during_working_hours(kit, text):
    assert shown(kit.citizen("u1").say(text)) == [(
        "Tôi đã chuyển cuộc trò chuyện cho cán bộ của UBND tỉnh. Cán bộ sẽ trả lời bạn ngay tại đây trong thời gian "
        f"sớm nhất (giờ làm việc: {HOURS})." + TAIL, ["Quay lại trợ lý ảo"])]


def test_handoff_outside_working_hours_says_when_staff_work(tmp_path):
    kit = sample_kit(tmp_path, staff_days=(), staff_hours_text="7:30–17:00 các ngày làm việc")
    assert kit.citizen("u1").say("gặp cán bộ")[0].text == (
        "Tôi đã chuyển cuộc trò chuyện cho cán bộ của UBND tỉnh. Hiện đang ngoài giờ làm việc; cán bộ sẽ trả lời "
        "bạn tại đây vào giờ làm việc: 7:30–17:00 các ngày làm việc." + TAIL)


def test_staff_hours_follow_the_local_clock(tmp_path):
    kit = sample_kit(tmp_path)  # the default hours: Monday to Friday, 7:30–11:30 and 13:30–17:00
    local = ZoneInfo(kit.config.timezone)
    for moment, on_duty in [(datetime(2026, 12, 5, 10, 0), False),  # a Saturday
                            (datetime(2026, 12, 7, 9, 0), True),  # a Monday morning
                            (datetime(2026, 12, 7, 12, 0), False),  # its lunch break
                            (datetime(2026, 12, 7, 17, 30), False)]:
        kit.set_now(moment.replace(tzinfo=local))
        citizen = kit.citizen(f"u-{moment:%d-%H%M}")
        text = citizen.say("gặp cán bộ")[0].text
        assert ("Hiện đang ngoài giờ làm việc" not in text) == on_duty, (moment, text)


def test_silent_while_handed_off_then_back_when_staff_close_end_to_end(tmp_path, fake_zalo):
    """Through the webhook, the workers and the fake Zalo: silence means nothing reaches Zalo;
    staff list and close the handoff with the admin API."""
    with Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb"), conversations=settings(**ALWAYS)) as h:
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


def test_silent_while_handed_off(kit):
    citizen = kit.citizen("u1")
    citizen.say("gặp cán bộ")
    assert citizen.say("dang ky tam tru") == []
    assert citizen.say("menu") == []
    assert citizen.send_image() == []
    assert citizen.send_media("sticker") == []
    assert shown(kit.citizen("u2").say("dang ky tam tru")) == [ANSWER]  # others still get answers


def test_staff_echoes_keep_the_handoff_open_until_the_timeout(kit):
    quiet, answered = kit.citizen("quiet"), kit.citizen("answered")
    quiet.say("gặp cán bộ")
    answered.say("gặp cán bộ")
    kit.advance(hours=20)
    assert kit.staff_echo("answered", "Chào bạn, tôi là cán bộ một cửa.") == []
    kit.advance(hours=5)  # 25 h since the request, 5 h since the staff message; the timeout is 24 h
    assert answered.say("dang ky tam tru") == []
    assert shown(quiet.say("dang ky tam tru")) == [ENDED, ANSWER]
    assert kit.rows("SELECT user_id, status, closed_by FROM handoffs ORDER BY id") == [
        ("quiet", "closed", "timeout"), ("answered", "open", None)]


def test_citizen_can_go_back_to_the_bot(kit):
    citizen = kit.citizen("u1")
    citizen.say("gặp cán bộ")
    assert shown(citizen.tap("Quay lại trợ lý ảo")) == [
        ("Trợ lý ảo đã sẵn sàng trả lời bạn trở lại. Bạn cứ nhắn câu hỏi, hoặc xem danh mục.", ["Xem danh mục"])]
    assert shown(citizen.say("dang ky tam tru")) == [ANSWER]


def test_handoff_drops_an_open_draft(kit):
    citizen = kit.citizen("u1")
    citizen.say("phản ánh")
    replies = shown(citizen.say("gặp cán bộ"))
    assert replies[0] == ("Đã hủy phản ánh đang soạn.", [])
    assert citizen.say("nội dung sau khi chuyển cán bộ") == []


def test_cli_lists_and_closes(kit, monkeypatch, capsys):
    citizen = kit.citizen("u1")
    citizen.say("gặp cán bộ")
    monkeypatch.setenv("BOT_CONFIG", str(REPO / "config.yaml"))
    monkeypatch.setenv("BOT_DATABASE", kit.config.database)
    assert main(["handoffs", "list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("u1  -  mở ") and out.endswith("1 cuộc trò chuyện.\n")
    assert main(["handoffs", "close", "u1"]) == 0
    assert main(["handoffs", "close", "u1"]) == 1
    assert main(["handoffs", "list"]) == 0
    assert capsys.readouterr().out.endswith("0 cuộc trò chuyện.\n")
    assert shown(citizen.say("dang ky tam tru")) == [ENDED, ANSWER]
