"""Staff answer tickets (CLI and admin API); Zalo's 7-day window decides sent now or held.

End to end through the webhook, the workers, the admin API and the fake Zalo (what Zalo receives,
or refuses, is the point here), except the command line, which meets a ticket filed through the
dispatch in-process (tests/dispatchkit.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import main
from bot.clock import iso
from bot.config import ConversationSettings
from tests.conv_support import Chat, rows, sample_kit, write_kb
from tests.dispatchkit import Citizen, shown
from tests.harness import ADMIN_TOKEN, REPO, Harness

CODE = f"PA-{datetime.now().year}-000001"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
ANSWER = "Trả lời: Đăng ký tạm trú như thế nào? Hỏi thêm 1900 1234."


@pytest.fixture
def h(tmp_path, fake_zalo):
    with Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb"),
                 conversations=ConversationSettings(flood_max_messages=0)) as harness:
        yield harness


def file_ticket(chat: Chat | Citizen) -> None:
    chat.say("phản ánh")
    chat.tap("Vấn đề khác")
    chat.say("Đường thôn 3 ngập nước")
    chat.tap("Tiếp tục")
    chat.tap("Bỏ qua")
    chat.tap("Gửi phản ánh")


def staff_reply(h, text: str, **extra) -> dict:
    response = h.client.post(f"/admin/api/tickets/{CODE}/reply", json={"text": text, **extra}, headers=AUTH)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def age_last_interaction(h, user_id: str, days: float) -> None:
    with h.runtime.storage.connect() as db:
        db.execute("UPDATE users SET last_interaction_at = ? WHERE user_id = ?",
                   [iso(datetime.now(UTC) - timedelta(days=days)), user_id])


def test_reply_inside_the_window_is_sent_at_once(h):
    chat = Chat(h, "u1")
    file_ticket(chat)
    assert staff_reply(h, "Xã đã cử người khơi thông cống.", staff="Cán bộ B") == {"ok": True, "delivery": "sent"}
    assert h.fake.sent("u1")[-1].text == f"UBND tỉnh phản hồi phản ánh {CODE}:\nXã đã cử người khơi thông cống."
    ticket = h.client.get(f"/admin/api/tickets/{CODE}", headers=AUTH).get_json()
    assert ticket["status"] == "answered" and ticket["user_id"] == "u1"
    assert [(r["body"], r["staff"], r["status"]) for r in ticket["replies"]] == [
        ("Xã đã cử người khơi thông cống.", "Cán bộ B", "sent")]
    assert chat.say(f"tra cứu {CODE}")[0][0].endswith(
        "Tình trạng: Cán bộ đã phản hồi, đang tiếp tục xử lý.\nPhản hồi gần nhất của cán bộ: Xã đã cử người khơi thông cống.")


def test_reply_outside_the_window_is_kept_then_delivered_when_the_citizen_writes(h):
    chat = Chat(h, "u1")
    file_ticket(chat)
    calls_before = len(h.fake.calls("/v3.0/oa/message/cs"))
    age_last_interaction(h, "u1", days=8)
    assert staff_reply(h, "Đã xử lý xong.", close=True) == {"ok": True, "delivery": "held"}
    assert len(h.fake.calls("/v3.0/oa/message/cs")) == calls_before  # not even tried
    assert chat.say("dang ky tam tru") == [(f"UBND tỉnh phản hồi phản ánh {CODE}:\nĐã xử lý xong.", []),
                                           (ANSWER, ["Hữu ích", "Chưa đúng"])]
    assert chat.say("dang ky tam tru") == [(ANSWER, ["Hữu ích", "Chưa đúng"])]  # delivered once
    assert rows(h, "SELECT status FROM tickets") == [("closed",)]


def test_reply_refused_by_zalo_for_the_window_is_kept(h, fake_zalo):
    chat = Chat(h, "u1")
    file_ticket(chat)
    fake_zalo.set_user("u1", last_interaction_days_ago=8)  # Zalo knows better than our record
    assert staff_reply(h, "Đã chuyển phòng Kinh tế.") == {"ok": True, "delivery": "held"}
    fake_zalo.set_user("u1", last_interaction_days_ago=0)  # the citizen writes again
    assert chat.say("dang ky tam tru")[0] == (f"UBND tỉnh phản hồi phản ánh {CODE}:\nĐã chuyển phòng Kinh tế.", [])
    assert rows(h, "SELECT status FROM ticket_replies") == [("released",)]


def test_admin_api_lists_closes_and_rejects_unknown_codes(h):
    file_ticket(Chat(h, "u1"))
    listed = h.client.get("/admin/api/tickets", headers=AUTH).get_json()["tickets"]
    assert [(t["code"], t["status"], t["content"]) for t in listed] == [(CODE, "open", "Đường thôn 3 ngập nước")]
    assert h.client.post(f"/admin/api/tickets/{CODE}/close", json={}, headers=AUTH).get_json()["ticket"]["status"] == "closed"
    assert h.client.get("/admin/api/tickets", headers=AUTH).get_json()["tickets"] == []
    assert len(h.client.get("/admin/api/tickets?status=all", headers=AUTH).get_json()["tickets"]) == 1
    assert h.client.post("/admin/api/tickets/PA-1999-000001/reply", json={"text": "x"}, headers=AUTH).status_code == 404
    assert h.client.get("/admin/api/tickets").status_code == 401


def test_cli_list_show_reply_close(tmp_path, monkeypatch, capsys):
    kit = sample_kit(tmp_path)
    citizen = kit.citizen("u1")
    file_ticket(citizen)
    for var in ("ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN", "ZALO_APP_SECRET", "ZALO_APP_ID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("BOT_CONFIG", str(REPO / "config.yaml"))
    monkeypatch.setenv("BOT_DATABASE", kit.config.database)
    monkeypatch.setenv("BOT_KNOWLEDGE", kit.config.knowledge_dir)
    assert main(["tickets", "list"]) == 0
    assert CODE in capsys.readouterr().out
    assert main(["tickets", "reply", CODE.lower(), "Đã tiếp nhận, sẽ xử lý trong tuần."]) == 0
    assert capsys.readouterr().out == f"{CODE}: đã gửi tới người dân.\n"  # sandbox: recorded, not sent
    assert kit.rows("SELECT purpose, status FROM outgoing WHERE purpose = 'staff_reply'") == [
        ("staff_reply", "sandbox")]
    assert main(["tickets", "close", CODE]) == 0
    assert main(["tickets", "show", CODE]) == 0
    out = capsys.readouterr().out
    assert "Đã xử lý xong" in out and "Đường thôn 3 ngập nước" in out and "Đã tiếp nhận, sẽ xử lý trong tuần." in out
    assert main(["tickets", "show", "PA-1999-000009"]) == 1
    assert shown(citizen.say(f"tra cứu {CODE}"))[0][0].endswith(
        "Tình trạng: Đã xử lý xong.\nPhản hồi gần nhất của cán bộ: Đã tiếp nhận, sẽ xử lý trong tuần.")


def test_cli_reply_works_while_the_knowledge_base_is_broken(tmp_path, monkeypatch, capsys):
    """Answering a ticket needs the database and Zalo only (bot/wiring.py), not the knowledge base:
    staff can still answer citizens while a bad edit keeps the bot itself from starting."""
    kit = sample_kit(tmp_path)
    file_ticket(kit.citizen("u1"))
    broken = tmp_path / "broken-kb"
    broken.mkdir()
    (broken / "thu-tuc.yaml").write_text("topic: [\n", encoding="utf-8")
    for var in ("ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN", "ZALO_APP_SECRET", "ZALO_APP_ID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("BOT_CONFIG", str(REPO / "config.yaml"))
    monkeypatch.setenv("BOT_DATABASE", kit.config.database)
    monkeypatch.setenv("BOT_KNOWLEDGE", str(broken))
    assert main(["tickets", "reply", CODE, "Đã tiếp nhận."]) == 0
    assert capsys.readouterr().out == f"{CODE}: đã gửi tới người dân.\n"
    assert kit.rows("SELECT status FROM outgoing WHERE purpose = 'staff_reply'") == [("sandbox",)]
