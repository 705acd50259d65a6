"""What a campaign sends, per channel, checked against Zalo's limits before anything is sent.

A consultation campaign is one Zalo message per citizen: text (≤ 2,000 characters after the
placeholders are filled) with up to 5 buttons, or an image with a caption. Zalo has no message
with both an image and buttons, and sending two messages per citizen would double the work and
the ways a restart can go wrong, so that combination is refused here with an explanation.
"""

from __future__ import annotations

import re
import string
from typing import Any
from urllib.parse import urlsplit

from bot.campaigns.model import BUTTON_KINDS, Article, Button, Content
from bot.campaigns.yamlsource import Problems
from bot.zalo.messages import MAX_BUTTONS, MAX_TEXT, buttons_message, image_message, text_message

# A real host: dot-separated labels ending in an alphabetic top-level domain ("a", "localhost" or an
# address typed by mistake are refused; Zalo opens the link in the citizen's phone).
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.IGNORECASE)
# Vietnamese numbers, separators removed: mobile 0[3|5|7|8|9]xxxxxxxx, landline 02xxxxxxxxx, the same
# with +84/84 instead of 0, 1800/1900 hotlines (8 or 10 digits), and short public numbers (111–115, 10xx such as 1022).
_PHONE = re.compile(r"0[35789]\d{8}|02\d{9}|(?:\+?84)(?:[35789]\d{8}|2\d{9})|1[89]00(?:\d{4}|\d{6})|11[1-5]|10\d{2}")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")

TARGET_RANGES = {"ages": (0, 7), "gender": (0, 2), "locations": (0, 2), "cities": (0, 63), "platform": (1, 3)}


def parse_content(data: dict[str, Any], channel: str, problems: Problems, placeholders: dict[str, str]) -> Content | None:
    wrong = {"consultation": ("article", "target", "template"), "article": ("message", "template"),
             "template": ("message", "article", "target")}[channel]
    for key in wrong:
        if key in data:
            problems.add((key,), f"trường `{key}` không dùng cho kênh {channel}")
    if channel == "consultation":
        return _message(data.get("message"), problems, placeholders)
    if channel == "article":
        return _article(data.get("article"), data.get("target"), problems)
    return _template(data.get("template"), problems)


def render(text: str, placeholders: dict[str, str]) -> str:
    """Fill {agency}, {hotline}, … (validated at load time, so every name is known)."""
    return text.format_map(placeholders)


def zalo_message(content: Content, placeholders: dict[str, str]) -> dict[str, Any]:
    """The `/cs` message object every recipient of a run receives."""
    text = render(content.text, placeholders) if content.text else ""
    if content.image_url:
        return image_message(content.image_url, text)
    if content.buttons:
        return buttons_message(text, [b.to_zalo() for b in content.buttons])
    return text_message(text)


def _message(raw: Any, problems: Problems, placeholders: dict[str, str]) -> Content | None:
    path = ("message",)
    if not isinstance(raw, dict):
        problems.add(path, "kênh consultation cần `message:` với `text` (và tùy chọn `buttons` hoặc `image_url`)")
        return None
    for key in raw:
        if key not in ("text", "image_url", "buttons"):
            problems.add(path + (key,), f"trường `{key}` không có trong `message` (text, image_url, buttons)")
    text = raw.get("text") or ""
    image_url = str(raw.get("image_url") or "").strip()
    if not isinstance(text, str) or not (text.strip() or image_url):
        problems.add(path + ("text",), "`text` là một đoạn chữ và không được để trống (trừ khi gửi ảnh)")
        return None
    _check_placeholders(text.strip(), path + ("text",), problems, placeholders)
    if image_url and not https_url(image_url):
        problems.add(path + ("image_url",), "`image_url` phải là địa chỉ https:// (có tên miền thật) tới ảnh jpg/png ≤ 1 MB")
    buttons = _buttons(raw.get("buttons"), path + ("buttons",), problems)
    if image_url and buttons:
        problems.add(path, "Zalo không gửi ảnh và nút trong cùng một tin: bỏ `image_url` hoặc `buttons`")
    return Content(text=text.strip(), image_url=image_url, buttons=buttons)


def _check_placeholders(text: str, path: tuple, problems: Problems, placeholders: dict[str, str]) -> None:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        problems.add(path, "dấu ngoặc nhọn không khớp; muốn in `{` thì viết `{{`")
        return
    unknown = [n for n in names if n not in placeholders]
    if unknown:
        problems.add(path, f"không có biến `{{{unknown[0]}}}`; dùng được: "
                           + ", ".join("{" + n + "}" for n in placeholders))
    elif len(rendered := render(text, placeholders)) > MAX_TEXT:
        problems.add(path, f"nội dung dài {len(rendered)} ký tự sau khi điền biến; Zalo nhận tối đa {MAX_TEXT}")


def _buttons(raw: Any, path: tuple, problems: Problems) -> tuple[Button, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_BUTTONS:
        problems.add(path, f"`buttons` là danh sách tối đa {MAX_BUTTONS} nút")
        return ()
    buttons = []
    for i, item in enumerate(raw):
        kinds = [k for k in BUTTON_KINDS if isinstance(item, dict) and k in item]
        if not isinstance(item, dict) or not str(item.get("title") or "").strip() or len(kinds) != 1:
            problems.add(path + (i,), "mỗi nút cần `title` và đúng một trong: url, phone, query")
            continue
        value = str(item[kinds[0]]).strip()
        if kinds[0] == "url" and not https_url(value):
            problems.add(path + (i, "url"), f"`url` \"{value}\" phải là địa chỉ https:// với tên miền thật,"
                                            " ví dụ https://dichvucong.gov.vn")
        if kinds[0] == "phone":
            value = _PHONE_SEPARATORS.sub("", value)
            if not _PHONE.fullmatch(value):
                problems.add(path + (i, "phone"), f"`phone` \"{item['phone']}\" không phải số điện thoại Việt Nam"
                                                  " (vd. 0912345678, 02438123456, +84912345678, 19001234)")
        buttons.append(Button(str(item["title"]).strip(), kinds[0], value))
    return tuple(buttons)


def https_url(value: str) -> bool:
    """An https:// address with a real host name (no spaces, no bare word like `a`)."""
    if any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        hostname = parts.hostname or ""
        parts.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(_HOST.fullmatch(hostname))


def _article(raw: Any, target: Any, problems: Problems) -> Content | None:
    path = ("article",)
    keys = ("title", "author", "description", "cover_url", "body")
    if not isinstance(raw, dict) or any(not str(raw.get(k) or "").strip() for k in keys):
        problems.add(path, "kênh article cần `article:` với " + ", ".join(f"`{k}`" for k in keys))
        return None
    if not https_url(str(raw["cover_url"]).strip()):
        problems.add(path + ("cover_url",), "`cover_url` phải là địa chỉ https:// (có tên miền thật) tới ảnh bìa")
    paragraphs = tuple(p.strip() for p in str(raw["body"]).split("\n\n") if p.strip())
    title, author, description, cover_url = (str(raw[k]).strip() for k in keys[:4])
    article = Article(title, author, description, cover_url, paragraphs)
    return Content(article=article, target=_target(target, problems))


def _target(raw: Any, problems: Problems) -> dict[str, Any]:
    """Demographic filters; values are Zalo codes (reference §4.1), one number or a list."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(("target",), "`target` là bảng các bộ lọc: " + ", ".join(TARGET_RANGES))
        return {}
    for key, value in raw.items():
        low, high = TARGET_RANGES.get(key, (0, -1))
        codes = value if isinstance(value, list) else [value]
        if key not in TARGET_RANGES or not all(isinstance(c, int) and low <= c <= high for c in codes):
            problems.add(("target", key), f"bộ lọc `{key}` cần mã số Zalo "
                                          + (f"từ {low} đến {high}" if key in TARGET_RANGES else "hợp lệ"))
    return {k: ",".join(str(c) for c in v) if isinstance(v, list) else v for k, v in raw.items()}


def _template(raw: Any, problems: Problems) -> Content | None:
    if not isinstance(raw, dict) or not str(raw.get("id") or "").strip() or not isinstance(raw.get("data"), dict):
        problems.add(("template",), "kênh template cần `template:` với `id` (mẫu đã được Zalo duyệt) và `data` (bảng giá trị)")
        return None
    return Content(template_id=str(raw["id"]).strip(), template_data={str(k): v for k, v in raw["data"].items()})
