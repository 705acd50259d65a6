"""A campaign as officers describe it: what to send, to whom, when, through which Zalo channel.

Frozen and validated by `bot/campaigns/loader.py`; the database keeps the validated YAML mapping
(`campaigns.spec`) and rebuilds this from it, so there is one parser and one set of rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.zalo.messages import ZaloButton

CHANNELS = ("consultation", "article", "template")
# Channels Zalo treats as promotional: refused 22:00–06:00 (-234) whatever our quiet hours say.
NIGHT_RULE_CHANNELS = ("article", "template")
AUDIENCE_KINDS = ("all_followers", "topic", "tag", "users")
BUTTON_KINDS = {"url": "oa.open.url", "phone": "oa.open.phone", "query": "oa.query.show"}

# Campaign statuses. Sticky ones stay until an officer acts; the others follow the runs and the schedule.
STICKY = ("paused", "cancelled", "failed")
ACTIVE_RUN = ("pending", "sending", "waiting")  # a run that still has work and will continue by itself


@dataclass(frozen=True)
class Button:
    title: str
    kind: str  # url | phone | query
    value: str

    def to_zalo(self) -> ZaloButton:
        payload: str | dict[str, str] = self.value
        if self.kind in ("url", "phone"):
            payload = {"url" if self.kind == "url" else "phone_code": self.value}
        return ZaloButton(self.title, BUTTON_KINDS[self.kind], payload)


@dataclass(frozen=True)
class Article:
    """A Zalo article for the broadcast channel (created, verified, then broadcast once)."""

    title: str
    author: str
    description: str
    cover_url: str
    paragraphs: tuple[str, ...]

    def to_zalo(self) -> dict[str, Any]:
        return {
            "type": "normal", "title": self.title, "author": self.author, "description": self.description,
            "cover": {"cover_type": "photo", "photo_url": self.cover_url, "status": "show"},
            "body": [{"type": "text", "content": p} for p in self.paragraphs], "status": "show",
        }


@dataclass(frozen=True)
class Content:
    """One Zalo message per recipient: text with buttons, or an image with a caption; or an
    article (broadcast channel); or an approved template (template channel)."""

    text: str = ""
    image_url: str = ""
    buttons: tuple[Button, ...] = ()
    article: Article | None = None
    target: dict[str, Any] = field(default_factory=dict)  # broadcast demographic filters (reference §4.1)
    template_id: str = ""
    template_data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Audience:
    kind: str  # one of AUDIENCE_KINDS
    values: tuple[str, ...] = ()  # the topic, the tags, or the user ids

    def describe(self) -> str:
        if self.kind == "all_followers":
            return "tất cả người quan tâm"
        label = {"topic": "đăng ký chủ đề", "tag": "có nhãn", "users": "danh sách"}[self.kind]
        shown = ", ".join(self.values[:5]) + (" …" if len(self.values) > 5 else "")
        return f"{label}: {shown}" if self.kind != "users" else f"{label} {len(self.values)} người"


@dataclass(frozen=True)
class Schedule:
    """`once` at a local time, `cron` (5 fields, day names) within an optional window, or `manual`."""

    kind: str
    at: datetime | None = None
    cron: str = ""
    start: datetime | None = None
    end: datetime | None = None

    def describe(self) -> str:
        if self.kind == "once" and self.at:
            return f"một lần lúc {self.at:%d/%m/%Y %H:%M}"
        if self.kind == "cron":
            window = "".join([f" từ {self.start:%d/%m/%Y}" if self.start else "",
                              f" đến {self.end:%d/%m/%Y}" if self.end else ""])
            return f"định kỳ theo cron \"{self.cron}\"{window}"
        return "chỉ gửi khi có lệnh send-now"


@dataclass(frozen=True)
class Campaign:
    id: str
    title: str
    channel: str
    content: Content
    audience: Audience
    schedule: Schedule
    enabled: bool
    spec: dict[str, Any]  # the validated mapping as written, stored so the campaign can be rebuilt
    source: str = ""
