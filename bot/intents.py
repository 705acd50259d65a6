"""Recognise short, whole-message commands and small talk however they are typed: with or
without diacritics, in capitals, with teencode ("dk nhan tin"), polite padding ("cho em gặp cán
bộ với ạ") or a slip of the finger ("dang ky nhan tinn").

A message is a command only when all of it is the command: "hủy" is one, "hủy hộ chiếu cũ thế
nào" is a question for the FAQ. A typo is forgiven in one word of the phrase (a transposition
counts as one edit), never in phrases under five letters ("hủy", "menu") or in words under three.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rapidfuzz.distance import OSA

from bot.events import Event
from bot.matcher.abbreviations import ABBREVIATIONS
from bot.matcher.normalize import fold

# Folded courtesy words and pronouns that do not change what a short message asks for. Words that
# fold onto content words are left out: "bạn" (bản), "anh" (ảnh), "chị" (chi phí).
_COURTESY = frozenset("a ah oi z nhe nha nhi ne vay voi giup gium dum cho em minh toi to ad admin shop".split())
_SHORTHAND = {"cb": "can bo", "cbo": "can bo", "ttin": "thong tin", "ki": "ky"}  # besides the matcher's table
MIN_FUZZY = 5  # shorter phrases ("hủy", "menu") must be typed exactly (diacritics optional)
MAX_LENGTH = 60  # longer messages are questions, not commands


def key(text: str) -> str:
    """The comparable form: folded, teencode expanded, courtesy words dropped."""
    words: list[str] = []
    for word in fold(text).split():
        expansion = _SHORTHAND.get(word) or ABBREVIATIONS.get(word)
        words.extend(fold(expansion).split() if expansion else [word])
    kept = [w for w in words if w not in _COURTESY]
    return " ".join(kept or words)


def table(phrases: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Phrase lists per intent → {key(phrase): intent}; built once per module at import."""
    return {key(phrase): intent for intent, group in phrases.items() for phrase in group}


def match(text: str, keyed: Mapping[str, str]) -> str | None:
    """The intent `text` expresses in full, or None."""
    if len(text) > MAX_LENGTH:
        return None
    wanted = key(text)
    if wanted in keyed:
        return keyed[wanted]
    return next((intent for phrase, intent in keyed.items() if _one_typo(wanted, phrase)), None)


def _one_typo(wanted: str, phrase: str) -> bool:
    """The same words but one, off by one edit (two in a long word). Whole words must not change:
    "xem thông tin cá nhân" is not "xóa thông tin cá nhân", "hủy hồ sơ" is not "hủy bỏ"."""
    if len(phrase) < MIN_FUZZY or len(wanted.split()) != len(phrase.split()):
        return False
    differing = [(w, p) for w, p in zip(wanted.split(), phrase.split(), strict=True) if w != p]
    if len(differing) != 1 or len(differing[0][1]) < 3:
        return False
    typed, meant = differing[0]
    return OSA.distance(typed, meant) <= (2 if len(meant) >= 6 else 1)


COMMAND_PHRASES: dict[str, tuple[str, ...]] = {
    "menu": ("menu", "bắt đầu", "hướng dẫn", "hướng dẫn sử dụng", "trợ giúp", "help", "start", "danh mục",
             "menu chính", "xem menu"),
    "feedback": ("phản ánh", "kiến nghị", "phản ánh kiến nghị", "gửi phản ánh", "gửi kiến nghị",
                 "gửi phản ánh kiến nghị", "góp ý", "gửi góp ý", "tạo phản ánh", "muốn phản ánh"),
    "handoff": ("gặp cán bộ", "gặp nhân viên", "nói chuyện với cán bộ", "gặp người thật", "hỏi cán bộ",
                "tư vấn viên", "gặp tư vấn viên", "kết nối cán bộ", "chat với cán bộ", "cần gặp cán bộ"),
    "subscribe": ("đăng ký nhận tin", "đăng ký nhận thông báo", "đăng ký tin", "nhận tin tức",
                  "đăng ký nhận tin tức", "muốn nhận tin"),
    "unsubscribe": ("hủy nhận tin", "hủy đăng ký nhận tin", "hủy đăng ký", "ngừng nhận tin", "dừng nhận tin",
                    "không nhận tin nữa", "hủy nhận thông báo", "không muốn nhận tin", "stop"),
    "delete": ("xóa dữ liệu của tôi", "xóa dữ liệu", "xóa dữ liệu cá nhân", "xóa thông tin của tôi",
               "xóa thông tin cá nhân", "xóa hết dữ liệu", "xóa dữ liệu của tôi đi",
               "muốn xóa dữ liệu", "muốn xóa dữ liệu của tôi", "muốn xóa dữ liệu cá nhân", "muốn xóa thông tin cá nhân",
               "yêu cầu xóa dữ liệu", "yêu cầu xóa dữ liệu của tôi", "yêu cầu xóa dữ liệu cá nhân",
               "xin xóa dữ liệu", "xin xóa dữ liệu của tôi", "xin xóa dữ liệu cá nhân"),
    "confirm_delete": ("xác nhận xóa", "đồng ý xóa", "xác nhận xóa dữ liệu"),
    "cancel": ("hủy", "hủy bỏ", "thôi", "dừng", "thoát", "cancel", "không gửi nữa", "dừng lại"),
}
COMMANDS = table(COMMAND_PHRASES)
TICKET_CODE = re.compile(r"\bpa ?(\d{4}) ?(\d{1,6})\b")


def ticket_code(text: str) -> str | None:
    """A ticket code anywhere in the message ("tra cứu PA-2025-000123", "pa 2025 123")."""
    found = TICKET_CODE.search(fold(text))
    return f"PA-{found[1]}-{int(found[2]):06d}" if found else None


def command_of(event: Event) -> str | None:
    """The command a text message is, `lookup` for a ticket code, or None."""
    if event.kind != "text":
        return None
    if ticket_code(event.text):
        return "lookup"
    return match(event.text.strip(), COMMANDS)
