"""A complaint typed as a message ("tôi muốn phản ánh cán bộ xã gây khó dễ", "muon khieu nai thai
do can bo") starts the feedback flow (handlers/feedback.py) instead of getting an FAQ answer.

The line to draw is between wanting to complain now and asking how: "thủ tục khiếu nại thế nào",
"phản ánh ở đâu" are questions the knowledge base answers. A message is a complaint when it names
a complaint (phản ánh, khiếu nại, tố cáo, kiến nghị) together with a wish to make one ("muốn",
"cần", "xin") or the conduct complained about ("gây khó dễ", "thái độ"), and asks nothing
("thế nào", "ở đâu", "?"). When it names what the complaint is about, the flow skips the topic step.
"""

from __future__ import annotations

import re

from bot.core import Context
from bot.events import Event
from bot.matcher.normalize import fold
from bot.replies import Reply
from handlers import feedback

_COMPLAINT = re.compile(r"\b(phan anh|khieu nai|to cao|kien nghi)\b")
_WISH = re.compile(r"\b(muon|can(?! bo)|xin|de nghi|yeu cau|gui)\b")  # "cán bộ" folds onto "cần"
_CONDUCT = re.compile(r"\b(gay kho|kho de|kho dan|lam kho|nhung nhieu|hach sach|hach dich|cua quyen|thai do|voi vinh|boi duoi|"
                      r"tieu cuc|doi tien|an hoi|hoi lo|vo trach nhiem|cham tre|tre hen|quat nat|to tieng|mat lich su)\b")
_QUESTION = re.compile(r"\?|\b(the nao|ra sao|nhu nao|o dau|cho nao|bang cach nao|lam sao|lam gi|nhu the nao|"
                       r"(thu tuc|cach|huong dan|quy trinh) (phan anh|khieu nai|to cao|kien nghi)|bao lau|bao nhieu|"
                       r"co duoc|duoc khong|co phai|gi|nao|ai|khi nao|luc nao|quy dinh|mau don|thoi han)\b")
_TOPICS = (("can-bo", re.compile(r"\b(can bo|cong chuc|nhan vien|thai do|gay kho|kho de|nhung nhieu|hach sach)\b")),
           ("truc-tuyen", re.compile(r"\b(truc tuyen|dich vu cong|cong dvc|dvc|online|vneid)\b")),
           ("thu-tuc", re.compile(r"\b(thu tuc|ho so|giay to)\b")))
MAX_LENGTH = 300  # a long message is already the complaint's content: still offer the flow


def applies(event: Event, ctx: Context) -> bool:
    return event.kind == "text" and is_complaint(event.text)


def is_complaint(text: str) -> bool:
    """Wanting to complain now, not asking how to."""
    folded = fold(text)
    if len(text) > MAX_LENGTH or not _COMPLAINT.search(folded) or _QUESTION.search(folded):
        return False
    return bool(_WISH.search(folded) or _CONDUCT.search(folded))


def topic_of(text: str) -> str | None:
    folded = fold(text)
    return next((key for key, pattern in _TOPICS if pattern.search(folded)), None)


def handle(event: Event, ctx: Context) -> list[Reply]:
    topic = topic_of(event.text)
    note = "Tôi sẽ giúp bạn gửi phản ánh, kiến nghị đến cán bộ có trách nhiệm" + (
        f" (chủ đề: {feedback.TOPICS[topic]}). " if topic else ". ")
    replies = feedback.start(event, ctx, topic=topic)
    return [Reply(text=note + replies[0].text, buttons=replies[0].buttons), *replies[1:]]
