"""Subscriptions chosen in the chat drive campaign audiences; "hủy nhận tin" leaves in one step."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.campaigns.audience import preview
from bot.campaigns.model import Audience
from bot.config import ConversationSettings
from tests.conv_support import Chat, rows, write_kb
from tests.harness import Harness

INTRO = "UBND tỉnh gửi thông tin theo chủ đề qua Zalo này. "
LEFT = ("Đã hủy nhận tin. UBND tỉnh sẽ không gửi tin thông báo cho bạn nữa; trợ lý ảo vẫn trả lời khi bạn hỏi. "
        "Muốn nhận lại, bạn nhắn «đăng ký nhận tin».", [])


@pytest.fixture
def h(tmp_path, fake_zalo):
    with Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb"),
                 conversations=ConversationSettings(flood_max_messages=0)) as harness:
        yield harness


def decision(h, user_id: str, audience: Audience) -> str | None:
    """What a consultation campaign to `audience` would do with this citizen (None: not in it)."""
    with h.runtime.storage.connect() as db:
        sample = preview(db, audience, "consultation", datetime.now(timezone.utc), 100)["sample"]
    return next((row["decision"] for row in sample if row["user_id"] == user_id), None)


@pytest.mark.parametrize("text", ["đăng ký nhận tin", "dang ky nhan tin", "dk nhan tin", "Đăng kí nhận tin",
                                  "đăng ký nhận tinn"])
def test_subscribe_command_lists_topics(h, text):
    assert Chat(h, "u1").say(text) == [(INTRO + "Bạn chưa đăng ký nhận tin chủ đề nào. Bạn chọn chủ đề muốn nhận:",
                                        ["Nhận: Tin cải cách hành chính", "Nhận: Hướng dẫn dịch vụ công",
                                         "Nhận: Sự kiện, tập huấn"])]


def test_subscribing_puts_the_citizen_in_the_topic_audience(h):
    chat = Chat(h, "u1")
    chat.say("đăng ký nhận tin")
    assert chat.click("Nhận: Tin cải cách hành chính") == [(
        "Đã đăng ký nhận tin «Tin cải cách hành chính». Bạn nhắn «hủy nhận tin» bất cứ lúc nào để ngừng.",
        ["Hủy chủ đề này", "Chủ đề khác"])]
    assert rows(h, "SELECT user_id, topic FROM subscriptions") == [("u1", "cchc")]
    with h.runtime.storage.connect() as db:
        db.execute("UPDATE users SET followed = 1 WHERE user_id = 'u1'")
    assert decision(h, "u1", Audience("topic", ("cchc",))) == "send"
    assert decision(h, "u1", Audience("topic", ("dvc",))) is None
    assert chat.click("Chủ đề khác") == [(INTRO + "Bạn đang nhận tin: «Tin cải cách hành chính». Bạn chọn chủ đề muốn nhận:",
                                          ["Nhận: Hướng dẫn dịch vụ công", "Nhận: Sự kiện, tập huấn", "Hủy nhận tin"])]


def test_leaving_one_topic(h):
    chat = Chat(h, "u1")
    chat.say("dk nhan tin")
    chat.click("Nhận: Hướng dẫn dịch vụ công")
    assert chat.click("Hủy chủ đề này") == [
        ("Đã hủy nhận tin «Hướng dẫn dịch vụ công». Muốn nhận lại, bạn nhắn «đăng ký nhận tin».", [])]
    assert rows(h, "SELECT count(*) FROM subscriptions") == [(0,)]


@pytest.mark.parametrize("text", ["hủy nhận tin", "huy nhan tin", "Huỷ đăng ký", "ngừng nhận tin", "stop",
                                  "hủy nhận tịn"])
def test_unsubscribe_in_one_step_leaves_every_audience(h, text):
    chat = Chat(h, "u1")
    chat.say("đăng ký nhận tin")
    chat.click("Nhận: Tin cải cách hành chính")
    chat.say("đăng ký nhận tin")
    chat.click("Nhận: Sự kiện, tập huấn")
    with h.runtime.storage.connect() as db:
        db.execute("UPDATE users SET followed = 1 WHERE user_id = 'u1'")
    assert chat.say(text) == [LEFT]
    assert rows(h, "SELECT count(*) FROM subscriptions") == [(0,)]
    assert decision(h, "u1", Audience("topic", ("cchc", "su-kien"))) is None
    assert decision(h, "u1", Audience("all_followers")) == "do_not_contact"
    chat.say("đăng ký nhận tin")
    chat.click("Nhận: Sự kiện, tập huấn")  # subscribing again is consent again
    assert decision(h, "u1", Audience("all_followers")) == "send"
