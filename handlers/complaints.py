"""A complaint typed as a message ("tôi muốn phản ánh cán bộ xã gây khó dễ", "muon khieu nai thai
do can bo") starts the feedback flow (handlers/feedback.py) instead of getting an FAQ answer.

The line to draw is between wanting to complain now and asking how: "thủ tục khiếu nại thế nào",
"phản ánh ở đâu" are questions the knowledge base answers. A message is a complaint when it asks
nothing ("thế nào", "ở đâu", "cách", "?") and either names feedback (phản ánh, kiến nghị) with a
wish to give it ("muốn", "cần", "xin") or the conduct complained about ("gây khó dễ", "thái độ"),
or names a khiếu nại about conduct. A khiếu nại against a decision and a tố cáo are formal legal
procedures: the knowledge base explains them. When the message names what the complaint is
about, the flow skips the topic step.
"""

from __future__ import annotations

import re

from bot.core import Context
from bot.events import Event
from bot.matcher.normalize import fold
from bot.replies import Reply
from handlers import feedback

_FEEDBACK = re.compile(r"\b(phan anh|kien nghi)\b")  # with a wish or a conduct: the feedback flow
_COMPLAINT = re.compile(r"\bkhieu nai\b")  # a formal procedure (Luật Khiếu nại): the flow only about conduct
_WISH = re.compile(r"\b(muon|can(?! bo)|xin|de nghi|yeu cau)\b")  # "cán bộ" folds onto "cần"
_CONDUCT = re.compile(r"\b(gay kho|kho de|kho dan|lam kho|nhung nhieu|hach sach|hach dich|cua quyen|thai do|voi vinh|boi duoi|"
                      r"tieu cuc|doi tien|an hoi|hoi lo|vo trach nhiem|cham tre|tre hen|quat nat|to tieng|mat lich su)\b")
_QUESTION = re.compile(r"\?|\b(the nao|ra sao|nhu nao|(o|gui|nop|tai|lam) dau|cho nao|bang cach nao|lam sao|lam gi|"
                       r"(?<!ban )sao|cach|thu tuc|huong dan|quy trinh|bao lau|bao nhieu|co duoc|duoc khong|"
                       r"co phai|gi|nao|ai|khi nao|luc nao|quy dinh|mau don|thoi han|an danh|nac danh)\b")
_TOPICS = (("can-bo", re.compile(r"\b(can bo|cong chuc|nhan vien|thai do|gay kho|kho de|nhung nhieu|hach sach)\b")),
           ("truc-tuyen", re.compile(r"\b(truc tuyen|dich vu cong|cong dvc|dvc|online|vneid)\b")),
           ("thu-tuc", re.compile(r"\b(thu tuc|ho so|giay to)\b")))
MAX_LENGTH = 300  # a long message is already the complaint's content: still offer the flow


def applies(event: Event, ctx: Context) -> bool:
    return event.kind == "text" and is_complaint(event.text)


def is_complaint(text: str) -> bool:
    """Wanting to complain now, not asking how to."""
    folded = fold(text)
    if len(text) > MAX_LENGTH or _QUESTION.search(folded):
        return False
    conduct = _CONDUCT.search(folded) is not None
    return bool(_FEEDBACK.search(folded) and (conduct or _WISH.search(folded))
                or _COMPLAINT.search(folded) and conduct)


def topic_of(text: str) -> str | None:
    folded = fold(text)
    return next((key for key, pattern in _TOPICS if pattern.search(folded)), None)


def handle(event: Event, ctx: Context) -> list[Reply]:
    topic = topic_of(event.text)
    note = "Tôi sẽ giúp bạn gửi phản ánh, kiến nghị đến cán bộ có trách nhiệm" + (
        f" (chủ đề: {feedback.TOPICS[topic]}). " if topic else ". ")
    replies = feedback.start(event, ctx, topic=topic)
    return [Reply(text=note + replies[0].text, buttons=replies[0].buttons), *replies[1:]]
