"""Data deletion on request, and the retention purge of message logs.

Through the dispatch in-process (tests/dispatchkit.py); Zalo's own withdrawal event runs end to end
through the signed webhook, the workers and the fake Zalo."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from bot.campaigns.followers import sync_followers
from bot.clock import iso
from bot.config import ConversationSettings
from bot.conversations import retention
from bot.storage import Storage
from tests.conv_support import Chat, sample_kit, write_kb
from tests.dispatchkit import Citizen, shown
from tests.harness import APP_ID, OA_ID, Harness, follow_event, now_ms

ASK = ("Bạn muốn xóa dữ liệu cá nhân của mình tại UBND tỉnh?\n"
       "Sẽ bị xóa: tin nhắn đã trao đổi, thông tin hồ sơ Zalo đã lưu, đăng ký nhận tin, đánh giá câu trả lời. "
       "Phản ánh bạn đã gửi vẫn được cơ quan xử lý nhưng không còn gắn với tài khoản và thông tin liên hệ của bạn. "
       "Sau khi xóa, bạn sẽ không nhận tin thông báo nữa. Việc xóa không thể hoàn tác.\n"
       "Bấm «Xác nhận xóa» (hoặc nhắn «xác nhận xóa») để tiếp tục.", ["Xác nhận xóa", "Hủy"])
DONE = ("Đã xóa dữ liệu cá nhân của bạn tại UBND tỉnh; bạn sẽ không nhận tin thông báo nữa. Nếu bạn nhắn tin tiếp, "
        "trợ lý ảo vẫn trả lời và tin nhắn mới được lưu theo chính sách bảo vệ dữ liệu cá nhân.", [])
NOT_ASKED = ("Yêu cầu xóa dữ liệu chưa được tạo hoặc đã hết hạn. Nếu muốn xóa, bạn nhắn «xóa dữ liệu của tôi».", [])


def settings() -> ConversationSettings:
    return ConversationSettings(flood_max_messages=0)


@pytest.fixture
def kit(tmp_path):
    return sample_kit(tmp_path)


def rows(storage: Storage, sql: str, *args) -> list[tuple]:
    with storage.connect() as db:
        return [tuple(r) for r in db.execute(sql, list(args)).fetchall()]


def leave_traces(chat: Chat | Citizen) -> None:
    """A citizen who asked, rated, subscribed, filed a ticket with contact and talked to staff."""
    chat.say("dang ky tam tru")
    chat.tap("Hữu ích")
    chat.say("đăng ký nhận tin")
    chat.tap("Nhận: Tin cải cách hành chính")
    chat.say("phản ánh")
    chat.tap("Vấn đề khác")
    chat.say("Nội dung phản ánh")
    chat.send_image()
    chat.tap("Tiếp tục")
    chat.say("0912345678")
    chat.tap("Gửi phản ánh")
    chat.say("gặp cán bộ")
    chat.tap("Quay lại trợ lý ảo")


def counts(storage: Storage, user_id: str) -> dict[str, int]:
    tables = ("inbox", "outgoing", "answer_log", "ratings", "subscriptions", "handoffs", "conversation_state", "tickets")
    return {t: rows(storage, f"SELECT count(*) FROM {t} WHERE user_id = ?", user_id)[0][0] for t in tables}


@pytest.mark.parametrize("text", ["xóa dữ liệu của tôi", "xoa du lieu cua toi", "Xoá dữ liệu", "xóa dữ liệu cá nhân",
                                  "xoa du lieu cua toi di", "tôi muốn xóa dữ liệu của tôi", "toi muon xoa du lieu cua toi",
                                  "yêu cầu xóa dữ liệu cá nhân", "xin xóa dữ liệu của tôi"])
def test_deletion_request_asks_first(kit, text):
    assert shown(kit.citizen("u1").say(text)) == [ASK]


def test_deletion_erases_and_anonymises_after_confirmation(kit):
    citizen, other = kit.citizen("u1"), kit.citizen("u2")
    leave_traces(citizen)
    other.say("dang ky tam tru")
    other_before = counts(kit.storage, "u2")
    assert shown(citizen.say("xóa dữ liệu của tôi")) == [ASK]
    assert shown(citizen.tap("Xác nhận xóa")) == [DONE]
    # Left: only the confirmation exchange itself, for the retention purge.
    assert counts(kit.storage, "u1") == {"inbox": 1, "outgoing": 1, "answer_log": 0, "ratings": 0, "subscriptions": 0,
                               "handoffs": 0, "conversation_state": 0, "tickets": 0}
    assert kit.rows("SELECT user_id, contact_phone, attachments, content FROM tickets") == [
        (None, None, "[]", "Nội dung phản ánh")]
    assert kit.rows("SELECT count(*) FROM users WHERE user_id = 'u1'") == [(0,)]  # only a keyed hash is left
    assert kit.rows("SELECT count(*) FROM forgotten_users") == [(1,)]
    assert counts(kit.storage, "u2") == other_before  # nobody else's data moved
    citizen.say("dang ky tam tru")  # coming back: answered, and still never in a campaign
    assert kit.rows("SELECT do_not_contact FROM users WHERE user_id = 'u1'") == [(1,)]


CITIZEN = "5510185758261927916"


def holding(storage: Storage, value: str) -> list[str]:
    """Every `table.column` with a value containing `value`: the whole database is searched."""
    found = []
    with storage.connect() as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for column in [r[1] for r in db.execute(f"PRAGMA table_info({table})")]:
                hits = db.execute(f"SELECT count(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE ?", [f"%{value}%"])
                if hits.fetchone()[0]:
                    found.append(f"{table}.{column}")
    return found


def test_zalo_withdrawal_request_leaves_no_row_keyed_by_the_citizen_end_to_end(tmp_path, fake_zalo):
    """`user_withdraw`, signed as Zalo sends it: erased at once without a reply, the event itself included."""
    with Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb"), conversations=settings()) as h:
        _withdraw(h)


def _withdraw(h: Harness) -> None:
    storage = h.runtime.storage
    chat, other = Chat(h, CITIZEN), Chat(h, "u2")
    leave_traces(chat)
    other.say("dang ky tam tru")
    other_before, sent_before = counts(storage, "u2"), len(h.fake.sent(CITIZEN))
    assert "inbox.user_id" in holding(storage, CITIZEN) and "users.user_id" in holding(storage, CITIZEN)
    withdrawal = {"event_name": "user_withdraw", "app_id": APP_ID, "oa_id": OA_ID, "user_id": CITIZEN,
                  "user_id_by_app": "552172779717587730", "timestamp": now_ms()}
    assert h.post(withdrawal).status_code == 200
    h.wait_idle()
    assert holding(storage, CITIZEN) == []
    assert len(h.fake.sent(CITIZEN)) == sent_before
    assert rows(storage, "SELECT user_id, contact_phone, content FROM tickets") == [(None, None, "Nội dung phản ánh")]
    assert rows(storage, "SELECT count(*) FROM forgotten_users") == [(1,)]
    assert counts(storage, "u2") == other_before
    h.post(follow_event(CITIZEN))  # following again, or listed by a follower import: still do_not_contact
    h.wait_idle()
    h.fake.add_followers([CITIZEN, "u2"])
    sync_followers(storage, h.runtime.zalo)
    assert rows(storage, "SELECT do_not_contact FROM users WHERE user_id = ?", CITIZEN) == [(1,)]
    assert rows(storage, "SELECT do_not_contact FROM users WHERE user_id = 'u2'") == [(0,)]


def test_confirmation_needs_a_fresh_request(kit):
    citizen = kit.citizen("u1")
    citizen.say("dang ky tam tru")
    assert shown(citizen.say("xác nhận xóa")) == [NOT_ASKED]
    assert shown(citizen.say("#delete:yes")) == [NOT_ASKED]
    citizen.say("xoa du lieu")
    assert shown(citizen.say("hủy")) == [
        ("Đã hủy yêu cầu xóa dữ liệu. Bạn cần hỗ trợ gì khác cứ nhắn nhé.", ["Xem danh mục"])]
    assert shown(citizen.say("xac nhan xoa")) == [NOT_ASKED]
    assert kit.rows("SELECT count(*) FROM answer_log WHERE user_id = 'u1'") == [(1,)]
    citizen.say("xoa du lieu")
    assert shown(citizen.say("xac nhan xoa")) == [DONE]
    assert kit.rows("SELECT count(*) FROM answer_log WHERE user_id = 'u1'") == [(0,)]


def test_retention_purge_removes_old_logs_and_keeps_recent_ones(kit):
    citizen = kit.citizen("u1")
    citizen.say("dang ky tam tru")
    citizen.tap("Chưa đúng")
    citizen.say("phản ánh")
    citizen.tap("Vấn đề khác")
    citizen.say("Nội dung cũ")
    citizen.tap("Tiếp tục")
    citizen.tap("Bỏ qua")
    citizen.tap("Gửi phản ánh")
    config = dataclasses.replace(kit.config, conversations=dataclasses.replace(
        kit.config.conversations, message_retention_days=30, ticket_retention_days=365))
    now = datetime.now(UTC)
    assert set(retention.purge(kit.storage, config, now).values()) == {0}
    with kit.storage.connect() as db:
        db.execute("UPDATE tickets SET status = 'closed', closed_at = ?", [iso(now - timedelta(days=400))])
    (messages,) = kit.rows("SELECT count(*) FROM inbox")[0]
    purged = retention.purge(kit.storage, config, now + timedelta(days=31))
    assert purged["messages"] == messages and purged["tickets"] == 1
    assert kit.rows("SELECT count(*) FROM inbox") == [(0,)]
    assert kit.rows("SELECT count(*) FROM outgoing WHERE body != '{}'") == [(0,)]
    assert kit.rows("SELECT count(*) FROM answer_log") == [(0,)]
    assert kit.rows("SELECT user_id, question, entry_id, verdict FROM ratings") == [(None, None, "tam-tru", "wrong")]
    assert kit.rows("SELECT user_id, content FROM tickets") == [(None, "Nội dung cũ")]
    assert kit.rows("SELECT count(*) FROM unanswered") == [(1,)]  # the "Chưa đúng" question: kept longer for staff
    purged = retention.purge(kit.storage, config, now + timedelta(days=181))
    assert purged["unanswered"] == 1 and kit.rows("SELECT count(*) FROM unanswered") == [(0,)]
