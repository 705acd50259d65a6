"""The kit (tests/dispatchkit.py) answers as the whole path does, and hides no failure."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.config import ConversationSettings
from bot.events import Event
from tests.conv_support import Chat, sample_kit, write_kb
from tests.dispatchkit import Citizen, Kit, shown
from tests.harness import Harness

SCRIPT: list[tuple[str, str]] = [  # ("say" | "tap", text): menu, browsing, an answer, a rating, two flows
    ("say", "menu"), ("tap", "Cư trú"), ("tap", "Đăng ký tạm trú như thế nào?"), ("tap", "Chưa đúng"),
    ("say", "xổ số kiến thiết hôm nay"), ("say", "phản ánh"), ("tap", "Vấn đề khác"), ("say", "Đèn đường hỏng"),
    ("tap", "Tiếp tục"), ("say", "0912345678"), ("tap", "Gửi phản ánh"), ("say", "đăng ký nhận tin"),
    ("tap", "Nhận: Sự kiện, tập huấn"), ("say", "gặp cán bộ"), ("tap", "Quay lại trợ lý ảo"), ("say", "gặp cán bộ"),
    ("say", "dang ky tam tru"),  # handed off: silence
]


def play(talker: Chat | Citizen) -> list[list[tuple[str, list[str]]]]:
    heard = []
    for action, text in SCRIPT:
        replies = talker.say(text) if action == "say" else talker.tap(text)
        heard.append(replies if isinstance(talker, Chat) else shown(replies))
    return heard


def test_the_kit_hears_what_zalo_receives_through_the_webhook(tmp_path, fake_zalo):
    always = dict(staff_days=tuple(range(7)), staff_periods=("00:00-24:00",))
    in_process = play(sample_kit(tmp_path / "kit", **always).citizen("u1"))
    with Harness(tmp_path / "http", fake_zalo, knowledge_dir=write_kb(tmp_path / "http" / "kb"),
                 conversations=ConversationSettings(flood_max_messages=0, **always)) as h:
        end_to_end = play(Chat(h, "u1"))
    assert in_process == end_to_end
    assert all(in_process[:-1]) and in_process[-1] == []  # every step answered but the handed-off one


def test_a_failing_handler_fails_the_test_instead_of_going_silent(tmp_path):
    kit = Kit(tmp_path, knowledge_dir=write_kb(tmp_path / "kb"))

    def broken(event: Event, ctx) -> list:
        raise RuntimeError("handler bug")

    kit.bot.dispatch = broken
    with pytest.raises(RuntimeError, match="handler bug"):
        kit.citizen("u1").say("menu")


def test_the_clock_moves_events_and_handlers_together(tmp_path):
    kit = sample_kit(tmp_path)
    before = kit.now
    kit.advance(days=8)
    kit.citizen("u1").say("dang ky tam tru")
    [(event_ms, answered_at)] = kit.rows("SELECT i.event_time_ms, a.created_at FROM inbox i, answer_log a")
    assert abs(event_ms / 1000 - (before + timedelta(days=8)).timestamp()) < 60
    assert abs(datetime.fromisoformat(answered_at) - (before + timedelta(days=8))) < timedelta(seconds=60)
