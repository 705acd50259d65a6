"""Build `/v3.0/oa/message/cs` message objects and split long text at Zalo's 2,000-character limit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 2000
MAX_BUTTONS = 5


@dataclass(frozen=True)
class ZaloButton:
    title: str
    type: str
    payload: str | dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "type": self.type, "payload": self.payload}


def text_message(text: str) -> dict[str, Any]:
    return {"text": text}


def buttons_message(text: str, buttons: list[ZaloButton]) -> dict[str, Any]:
    if len(buttons) > MAX_BUTTONS:
        raise ValueError(f"Zalo allows at most {MAX_BUTTONS} buttons, got {len(buttons)}")
    return {"text": text, "attachment": {"type": "template", "payload": {"buttons": [b.to_json() for b in buttons]}}}


def image_message(url: str, caption: str = "") -> dict[str, Any]:
    element = {"media_type": "image", "url": url}
    message: dict[str, Any] = {"attachment": {"type": "template", "payload": {"template_type": "media", "elements": [element]}}}
    if caption:
        message["text"] = caption
    return message


def request_info_message(title: str, subtitle: str, image_url: str) -> dict[str, Any]:
    element = {"title": title, "subtitle": subtitle, "image_url": image_url}
    return {"attachment": {"type": "template", "payload": {"template_type": "request_user_info", "elements": [element]}}}


_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+")


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at paragraph boundaries, then sentences, then words; never mid-word unless a single
    word is longer than the limit. Parts are stripped and non-empty."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        joined = f"{current}{piece}" if current else piece.lstrip()
        if len(joined.rstrip()) <= limit:
            current = joined
        else:
            parts.append(current.strip())
            current = piece.lstrip()
    if current.strip():
        parts.append(current.strip())
    return [p for p in parts if p]


def _pieces(text: str, limit: int) -> list[str]:
    """Units that must not be broken, each ≤ limit, with their leading separator kept."""
    pieces: list[str] = []
    for i, paragraph in enumerate(re.split(r"\n\s*\n", text)):
        units = [paragraph] if len(paragraph) <= limit else _SENTENCE_END.split(paragraph)
        for j, unit in enumerate(units):
            sep = ("\n\n" if i and j == 0 else " " if j else "")
            for k, chunk in enumerate(_words(unit, limit)):
                pieces.append((sep if k == 0 else " ") + chunk)
    return pieces


def _words(unit: str, limit: int) -> list[str]:
    if len(unit) <= limit:
        return [unit]
    chunks: list[str] = []
    current = ""
    for word in unit.split():
        while len(word) > limit:
            chunks.append(word[:limit])
            word = word[limit:]
        if current and len(current) + 1 + len(word) > limit:
            chunks.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        chunks.append(current)
    return chunks
