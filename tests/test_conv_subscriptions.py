"""Subscriptions chosen in the chat drive campaign audiences; "hủy nhận tin" leaves in one step.

Through the dispatch in-process (tests/dispatchkit.py); subscribing and leaving a topic also runs end
to end through the webhook and the fake Zalo."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.campaigns.audience import preview
from bot.campaigns.model import Audience
from bot.config import ConversationSettings
from bot.storage import Storage
from tests.conv_support import Chat, rows, sample_kit, write_kb
from tests.dispatchkit import shown
from tests.harness import Harness

INTRO = "UBND tỉnh gửi thông tin theo chủ đề qua Zalo này. "
LEFT = ("Đã hủy nhận tin. UBND tỉnh sẽ không gửi tin thông báo cho bạn nữa; trợ lý ảo vẫn trả lời khi bạn hỏi. "
        "Muốn nhận lại, bạn nhắn «đăng ký nhận tin».", [])


@pytest.fixture
def kit(tmp_path):
    return sample_kit(tmp_path)


def decision(storage: Storage, user_id: str, audience: Audience) -> str | None:
    """What a consultation campaign to `audience` would do with this citizen (None: not in it)."""
    with storage.connect() as db:
        sample = preview(db, audience, "consultation", datetime.now(UTC), 100)["sample"]
    return next((row["decision"] for row in sample if row["user_id"] == user_id), None)


@pytest.mark.parametrize("text", ["đăng ký nhận tin", "dang ky nhan tin", "dk nhan tin", "Đăng kí nhận tin",
                                  "đăng ký nhận tinn"])
def test_subscribe_command_lists_topics(kit, text):
    assert shown(kit.citizen("u1").say(text)) == [
        (INTRO + "Bạn chưa đăng ký nhận tin chủ đề nào. Bạn chọn chủ đề muốn nhận:",
         ["Nhận: Tin cải cách hành chính", "Nhận: Hướng dẫn dịch vụ công", "Nhận: Sự kiện, tập huấn"])]


def test_subscribing_puts_the_citizen_in_the_topic_audience(kit):
    citizen = kit.citizen("u1")
    citizen.say("đăng ký nhận tin")
    assert shown(citizen.tap("Nhận: Tin cải cách hành chính")) == [(
        "Đã đăng ký nhận tin «Tin cải cách hành chính». Bạn nhắn «hủy nhận tin» bất cứ lúc nào để ngừng.",
        ["Hủy chủ đề này", "Chủ đề khác"])]
    assert kit.rows("SELECT user_id, topic FROM subscriptions") == [("u1", "cchc")]
    with kit.storage.connect() as db:
        db.execute("UPDATE users SET followed = 1 WHERE user_id = 'u1'")
    assert decision(kit.storage, "u1", Audience("topic", ("cchc",))) == "send"
    assert decision(kit.storage, "u1", Audience("topic", ("dvc",))) is None
    assert shown(citizen.tap("Chủ đề khác")) == [
        (INTRO + "Bạn đang nhận tin: «Tin cải cách hành chính». Bạn chọn chủ đề muốn nhận:",
         ["Nhận: Hướng dẫn dịch vụ công", "Nhận: Sự kiện, tập huấn", "Hủy nhận tin"])]


def test_subscribing_puts_the_citizen_in_the_topic_audience_end_to_end(tmp_path, fake_zalo):
    """Through the webhook, the workers and the fake Zalo."""
    with Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb"),
                 conversations=ConversationSettings(flood_max_messages=0)) as h:
        _subscribe(h)


def _subscribe(h) -> None:
    chat = Chat(h, "u1")
    chat.say("đăng ký nhận tin")
    assert chat.click("Nhận: Tin cải cách hành chính") == [(
        "Đã đăng ký nhận tin «Tin cải cách hành chính». Bạn nhắn «hủy nhận tin» bất cứ lúc nào để ngừng.",
        ["Hủy chủ đề này", "Chủ đề khác"])]
    assert rows(h, "SELECT user_id, topic FROM subscriptions") == [("u1", "cchc")]
    with h.runtime.storage.connect() as db:
        db.execute("UPDATE users SET followed = 1 WHERE user_id = 'u1'")
    assert decision(h.runtime.storage, "u1", Audience("topic", ("cchc",))) == "send"
    assert chat.click("Hủy chủ đề này") == [
        ("Đã hủy nhận tin «Tin cải cách hành chính». Muốn nhận lại, bạn nhắn «đăng ký nhận tin».", [])]
    assert decision(h.runtime.storage, "u1", Audience("topic", ("cchc",))) is None


def test_leaving_one_topic(kit):
    citizen = kit.citizen("u1")
    citizen.say("dk nhan tin")
    citizen.tap("Nhận: Hướng dẫn dịch vụ công")
    assert shown(citizen.tap("Hủy chủ đề này")) == [
        ("Đã hủy nhận tin «Hướng dẫn dịch vụ công». Muốn nhận lại, bạn nhắn «đăng ký nhận tin».", [])]
    assert kit.rows("SELECT count(*) FROM subscriptions") == [(0,)]


@pytest.mark.parametrize("text", ["hủy nhận tin", "huy nhan tin", "Huỷ đăng ký", "ngừng nhận tin", "stop",
                                  "hủy nhận tịn"])
def test_unsubscribe_in_one_step_leaves_every_audience(kit, text):
    citizen = kit.citizen("u1")
    citizen.say("đăng ký nhận tin")
    citizen.tap("Nhận: Tin cải cách hành chính")
    citizen.say("đăng ký nhận tin")
    citizen.tap("Nhận: Sự kiện, tập huấn")
    with kit.storage.connect() as db:
        db.execute("UPDATE users SET followed = 1 WHERE user_id = 'u1'")
    assert shown(citizen.say(text)) == [LEFT]
    assert kit.rows("SELECT count(*) FROM subscriptions") == [(0,)]
    assert decision(kit.storage, "u1", Audience("topic", ("cchc", "su-kien"))) is None
    assert decision(kit.storage, "u1", Audience("all_followers")) == "do_not_contact"
    citizen.say("đăng ký nhận tin")
    citizen.tap("Nhận: Sự kiện, tập huấn")  # subscribing again is consent again
    assert decision(kit.storage, "u1", Audience("all_followers")) == "send"
