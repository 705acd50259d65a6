"""The agency's values in what citizens read ({agency}, {hotline}, {address}, {portal}, …): what
counts as "unset", and rendering that never shows a placeholder or the same link twice.

The shipped config.yaml carries placeholders a deployment must replace: "(tên đơn vị)",
"(địa chỉ cập nhật tại config.yaml)", hotline "1900 0000", an e-mail at "tenmien.gov.vn", empty
portals. `unset_settings` names them for `kb check` and `/healthz`. When rendering, a marker in
parentheses is dropped from a value ("Trung tâm Phục vụ hành chính công tỉnh"); a value that is
still unset is left out of the sentence where the wording allows ("gọi {hotline} hoặc tra cứu
tại {portal}" → "tra cứu tại …", "Điện thoại: {hotline}." → nothing) and otherwise replaced by a
neutral wording ("đường dây nóng của UBND tỉnh"). A link already given in the same list is not
repeated ("{portal} hoặc {local_portal}" with the same URL).
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable

from bot.config import AgencySettings

# placeholder -> config key under `agency:`
SETTINGS = {"agency": "name", "agency_short": "short_name", "hotline": "hotline", "email": "email",
            "address": "address", "office_hours": "office_hours", "portal": "portal",
            "local_portal": "local_portal", "website": "website"}
_MARKER = re.compile(r"\s*\([^()]*(?:tên đơn vị|cập nhật)[^()]*\)", re.IGNORECASE)  # "(địa chỉ cập nhật tại …)"
_PLACEHOLDER_DOMAIN = re.compile(r"tenmien\.|example\.(?:com|org|vn)|\.invalid\b", re.IGNORECASE)
_PLACEHOLDER_NUMBER = re.compile(r"(?:1[89]00)?0+")  # "1900 0000", "0000"
_VERBS = r"(?:gọi|gửi|đến|liên hệ|tra cứu|xem|nhắn|hỏi|nộp|dùng|vào|đăng nhập|mang|tìm|đặt)"
NAMES = ("agency", "agency_short")  # never left out: shown without a placeholder note, or worded neutrally
CONTACTS = ("hotline", "email")  # "Điện thoại: {hotline}." says nothing once worded neutrally: left out
# Left out first: an optional contact goes before the place it was an alternative to ("tại {address} hoặc
# {hotline}"). The address is never left out: its neutral wording still says where to go.
ORDER = ("hotline", "email", "website", "local_portal", "portal", "office_hours", "address", *NAMES)
_CUT = "\x00"  # marks where a clause was left out, to drop a line left empty
_URL = re.compile(r"https?://[^\s,;()<>]+[^\s,;()<>.]")


def is_unset(key: str, value: str) -> bool:
    """The one definition of "unset" for an `agency:` setting (config key, raw value)."""
    if not value.strip() or _MARKER.search(value) or _PLACEHOLDER_DOMAIN.search(value):
        return True
    return key == "hotline" and bool(_PLACEHOLDER_NUMBER.fullmatch("".join(ch for ch in value if ch.isdigit())))


def unset_settings(agency: AgencySettings) -> list[str]:
    """`agency.<key>` of every setting still unset, in config order."""
    return [f"agency.{key}" for key in SETTINGS.values() if is_unset(key, getattr(agency, key))]


def warnings(agency: AgencySettings) -> list[str]:
    """What `kb check` and `/healthz` say while settings are unset (Vietnamese: staff fix them)."""
    return [f"config.yaml: cảnh báo: `{name}` chưa được cập nhật ({getattr(agency, name[7:])!r}): câu trả lời "
            "bỏ qua hoặc dùng cách nói chung thay cho giá trị này" for name in unset_settings(agency)]


def unset_in(text: str, agency: AgencySettings) -> list[str]:
    """Warnings for the {placeholders} `text` uses whose setting is unset. For campaign messages,
    which are sent as written (filled in, nothing left out): a broadcast would carry the stand-in."""
    used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return [f"`{{{name}}}` dùng giá trị chưa cập nhật của `agency.{key}` ({getattr(agency, key)!r}) trong config.yaml:"
            " người nhận sẽ thấy đúng giá trị này" for name, key in SETTINGS.items()
            if name in used and is_unset(key, getattr(agency, key))]


@functools.lru_cache(maxsize=8)
def renderer(agency: AgencySettings) -> Renderer:
    """One renderer per (frozen) agency settings."""
    return Renderer(agency)


class Renderer:
    """Fills agency placeholders in answers and bot texts; unknown braces stay as written."""

    def __init__(self, agency: AgencySettings):
        self.values: dict[str, str] = {}
        self.unset: set[str] = set()
        for placeholder, key in SETTINGS.items():
            raw = getattr(agency, key)
            cleaned = _MARKER.sub("", raw).strip()
            if placeholder in NAMES and cleaned and not is_unset(key, cleaned):
                self.values[placeholder] = cleaned  # "Ủy ban nhân dân tỉnh (tên đơn vị)": the name without the note
            elif is_unset(key, raw):
                self.unset.add(placeholder)
            else:
                self.values[placeholder] = cleaned
        short = self.values.get("agency_short") or self.values.get("agency") or "cơ quan"
        self.neutral = {
            "agency": self.values.get("agency_short") or "cơ quan",
            "agency_short": self.values.get("agency") or "cơ quan",
            "hotline": f"đường dây nóng của {short}",
            "email": f"hòm thư điện tử của {short}",
            "address": _MARKER.sub("", agency.address).strip() or "Trung tâm Phục vụ hành chính công",
            "office_hours": "giờ hành chính",
            "portal": "Cổng Dịch vụ công quốc gia",
            "local_portal": f"Cổng dịch vụ công của {short}",
            "website": f"trang thông tin điện tử của {short}",
        }

    def value(self, template: str) -> str | None:
        """A button's value (URL, phone) rendered; None when it needs an unset setting."""
        if any("{" + name + "}" in template for name in self.unset):
            return None
        return self.render(template)

    def render(self, text: str, facts: Iterable[tuple[str, str]] = ()) -> str:
        """`text` with an entry's facts ({fee}, {deadline}) and the agency's settings filled in."""
        if facts:
            text = text.format_map(_Keep(dict(facts)))
        for name in sorted(self.unset, key=ORDER.index):
            if "{" + name + "}" in text:
                text = self._leave_out(text, name)
        text = text.format_map(_Keep(self.values))
        return _dedupe_links(text)

    def _leave_out(self, text: str, name: str) -> str:
        """`text` without the unset `{name}` where the sentence reads on without it, else worded neutrally."""
        slot = re.escape("{" + name + "}")
        if name in NAMES or name == "address":
            text = re.sub(rf"[ \t]*\({slot}\)", "", text)  # "Trung tâm … ({address})"
            return text.replace("{" + name + "}", self.neutral[name])
        text = re.sub(rf", {slot} hoặc ", " hoặc ", text)  # "qua {a}, {x} hoặc hệ thống"
        patterns = [rf"\b{_VERBS}(?: (?:tại|qua|trên))? {slot} hoặc (?={_VERBS}\b)",  # "gọi {x} hoặc đến …"
                    rf"{slot} hoặc (?!{_VERBS}\b)|{slot}, (?=\{{)",  # "tại {x} hoặc nơi …", "qua {x}, {y}"
                    rf"(?:(?<=\}}),|[,;]? hoặc|[,;]? và) (?:{_VERBS} )?{slot}",  # "…, hoặc gọi {x}", "{a}, {x}"
                    rf"[ \t]*\({slot}\)"]  # "cổng của tỉnh ({x})"
        if name in CONTACTS:  # "Điện thoại: {x}."
            patterns.append(rf"(?:^|(?<=[.;]))[ \t]*[^.;:\n]{{1,60}}:[ \t]*{slot}[ \t]*(?:[.;]|$)")
        for pattern in patterns:
            text = re.sub(pattern, _CUT, text, flags=re.MULTILINE)
        text = re.sub(rf"^[ \t]*(?:\d+\.|[-•])?[ \t]*{_CUT}[{_CUT} \t]*(?:\n|\Z)", "", text, flags=re.MULTILINE)
        text = text.replace(_CUT, "")  # (a line left with nothing but its list marker went above)
        return text.replace("{" + name + "}", self.neutral[name])


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_LISTED_LINK = re.compile(rf"(?P<lead>,[ \t]*|[ \t]+(?:hoặc|và)[ \t]+|[ \t]*\()?(?P<url>{_URL.pattern})(?P<close>\))?")


def _dedupe_links(text: str) -> str:
    """A link given earlier in the text is dropped where it is listed again ("A, A", "A hoặc A", "(A)")."""
    seen: set[str] = set()

    def keep_or_drop(found: re.Match[str]) -> str:
        url = found["url"].rstrip("/").lower()
        repeated = url in seen
        seen.add(url)
        lead = (found["lead"] or "").strip()
        listed = lead in (",", "hoặc", "và") or (lead == "(" and found["close"] is not None)
        return "" if repeated and listed else found[0]

    return _LISTED_LINK.sub(keep_or_drop, text)
