"""What handlers return: replies, not sends. One place turns them into Zalo message objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.zalo.messages import (
    MAX_BUTTONS,
    ZaloButton,
    buttons_message,
    image_message,
    request_info_message,
    split_text,
    text_message,
)


@dataclass(frozen=True)
class Reply:
    """A message to the citizen the event came from. Buttons ride on the last text part."""

    text: str = ""
    buttons: tuple[ZaloButton, ...] = ()
    image_url: str = ""
    request_info: tuple[str, str, str] | None = None  # (title, subtitle, image_url) for request_user_info

    def to_messages(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        if self.request_info:
            messages.append(request_info_message(*self.request_info))
        if self.image_url:
            messages.append(image_message(self.image_url))
        parts = split_text(self.text)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            with_buttons = last and self.buttons
            messages.append(buttons_message(part, list(self.buttons[:MAX_BUTTONS])) if with_buttons else text_message(part))
        return messages


def query_button(title: str, payload: str, *, show: bool = True) -> ZaloButton:
    """A button that makes the citizen 'send' `payload` (shown in the chat with show=True)."""
    return ZaloButton(title=title[:100], type="oa.query.show" if show else "oa.query.hide", payload=payload)


def button(title: str, payload: str) -> ZaloButton:
    """Our own buttons (menus, flows, ratings): the payload is for the bot, so the citizen does not
    see it 'sent'. Every handler makes its buttons with this one function."""
    return query_button(title, payload, show=False)


def url_button(title: str, url: str) -> ZaloButton:
    return ZaloButton(title=title[:100], type="oa.open.url", payload={"url": url})


def phone_button(title: str, phone: str) -> ZaloButton:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return ZaloButton(title=title[:100], type="oa.open.phone", payload={"phone_code": digits})
