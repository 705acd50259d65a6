"""Scripted conversations for the conversation-layer tests (tests/test_conv_*.py).

    chat = Chat(h, "u1")
    assert chat.say("menu") == [("Xin chào! …", ["Hộ tịch", …]), ("Bạn cũng có thể:", […])]
    chat.click("Hộ tịch")          # sends that button's payload, as Zalo does

Every message goes through the real webhook (signed), inbox, handlers, outbox and the fake Zalo.
Most conversation tests use the in-process kit instead (tests/dispatchkit.py, `sample_kit`); Chat
is for the end-to-end ones.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from bot.config import ConversationSettings
from tests.dispatchkit import Kit
from tests.fakezalo import SentMessage
from tests.harness import APP_ID, Harness, media_event, now_ms, text_event

Shown = tuple[str, list[str]]

# Six topics, one of them with six questions, so both menus page.
TOPICS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "ho-tich": ("Hộ tịch", [
        ("khai-sinh", "Đăng ký khai sinh cần giấy tờ gì?", "dang ky khai sinh can gi"),
        ("ket-hon", "Đăng ký kết hôn làm ở đâu?", "dang ky ket hon o dau"),
        ("khai-tu", "Đăng ký khai tử thế nào?", "thu tuc khai tu"),
        ("nhan-con", "Thủ tục nhận cha mẹ con?", "nhan cha me con"),
        ("cai-chinh", "Cải chính hộ tịch ra sao?", "cai chinh ho tich"),
        ("trich-luc", "Xin trích lục bản sao khai sinh ở đâu?", "xin trich luc ban sao"),
    ]),
    "cu-tru": ("Cư trú", [("tam-tru", "Đăng ký tạm trú như thế nào?", "dang ky tam tru")]),
    "ho-chieu": ("Hộ chiếu", [("ho-chieu", "Làm hộ chiếu phổ thông ở đâu?", "lam ho chieu o dau")]),
    "can-cuoc": ("Căn cước", [("can-cuoc", "Làm thẻ căn cước lần đầu cần gì?", "lam can cuoc lan dau")]),
    "dat-dai": ("Đất đai", [("so-do", "Cấp sổ đỏ lần đầu cần hồ sơ gì?", "cap so do lan dau")]),
    "thue": ("Thuế", [("thue-ho", "Hộ kinh doanh nộp thuế thế nào?", "ho kinh doanh nop thue")]),
}


def write_kb(directory: Path) -> Path:
    """A small knowledge base independent of the shipped content."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in _kb_files().items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@functools.cache
def _kb_files() -> dict[str, str]:
    """File name → YAML, dumped once per session (dumping is most of a conversation test's set-up)."""
    files = {}
    for key, (name, entries) in TOPICS.items():
        items = [{"id": eid, "question": q, "alternatives": [alt], "answer": f"Trả lời: {q} Hỏi thêm {{hotline}}.",
                  "source": "Thử nghiệm", "reviewed": "2025-11-20", "examples": [alt]} for eid, q, alt in entries]
        if key == "ho-tich":
            items[0]["buttons"] = [{"title": "Cổng Dịch vụ công", "url": "{portal}"},
                                   {"title": "Đăng ký kết hôn", "entry": "ket-hon"}]
        files[f"{key}.yaml"] = yaml.safe_dump({"topic": name, "entries": items}, allow_unicode=True)
    return files


def sample_kit(tmp_path: Path, **conversation: Any) -> Kit:
    """The kit on `write_kb`'s knowledge base, with the flood limit off unless `conversation` sets it."""
    settings = ConversationSettings(**{"flood_max_messages": 0, **conversation})
    return Kit(tmp_path, knowledge_dir=write_kb(tmp_path / "kb"), conversations=settings)


def shown(message: SentMessage) -> Shown:
    return (message.text or "", [b["title"] for b in message.buttons])


class Chat:
    """One citizen talking to the bot; each call returns what the bot sent back, in order."""

    def __init__(self, h: Harness, user_id: str):
        self.h = h
        self.user_id = user_id
        self.last: list[SentMessage] = []

    def post(self, payload: dict[str, Any]) -> list[Shown]:
        before = len(self.h.fake.sent(self.user_id))
        response = self.h.post(payload)
        assert response.status_code == 200, response.get_json()
        self.h.wait_idle()
        self.last = self.h.fake.sent(self.user_id)[before:]
        return [shown(m) for m in self.last]

    def say(self, text: str) -> list[Shown]:
        return self.post(text_event(self.user_id, text))

    def click(self, title: str) -> list[Shown]:
        """Press a button of the bot's last messages: Zalo sends its payload as the citizen's text."""
        for message in reversed(self.last):
            for button in message.buttons:
                if button["title"] == title:
                    assert button["type"].startswith("oa.query"), button
                    return self.say(button["payload"])
        raise AssertionError(f"no button {title!r} in {[shown(m) for m in self.last]}")

    tap = click  # the kit's name (tests/dispatchkit.py Citizen.tap): one script drives either

    def send_image(self) -> list[Shown]:
        """An image message (its URL is https://example.invalid/x)."""
        return self.post(media_event(self.user_id, "image"))

    def submit_info(self, name: str, phone: str) -> list[Shown]:
        return self.post({"event_name": "user_submit_info", "app_id": APP_ID, "sender": {"id": self.user_id},
                          "recipient": {"id": "oa"}, "timestamp": now_ms(), "info": {"name": name, "phone": phone}})


def rows(h: Harness, sql: str, *args: Any) -> list[tuple]:
    with h.runtime.storage.connect() as db:
        return [tuple(r) for r in db.execute(sql, list(args)).fetchall()]

