"""Campaign YAML → validated Campaign, with every problem reported as `file:line: message`.

One campaign per file; `id` defaults to the file name. The rules live here so the CLI, the
admin API and the database (which stores the validated mapping) all read campaigns the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.campaigns.content import parse_content
from bot.campaigns.model import AUDIENCE_KINDS, CHANNELS, Audience, Campaign, Schedule
from bot.campaigns.schedule import make_trigger, next_fire
from bot.campaigns.yamlsource import CampaignError, Problems, read_yaml

TOP_KEYS = ("id", "title", "note", "enabled", "channel", "audience", "schedule", "message", "article", "target",
            "template")
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class LoadContext:
    """What validation needs from config: subscription topics, text placeholders, the time zone."""

    topics: dict[str, str]
    placeholders: dict[str, str]
    tz: ZoneInfo


def load_file(path: str | Path, ctx: LoadContext) -> Campaign:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignError([f"{path}: không đọc được tệp: {exc}"]) from None
    return load_text(text, str(path), ctx, default_id=path.stem)


def load_text(text: str, source: str, ctx: LoadContext, default_id: str = "") -> Campaign:
    data, problems = read_yaml(text, source)
    campaign = parse(data, problems, ctx, default_id) if not problems.items else None
    problems.raise_if_any()
    assert campaign is not None
    return campaign


def from_spec(spec: dict[str, Any], ctx: LoadContext, source: str = "") -> Campaign:
    """Rebuild a stored campaign (validated when it was added)."""
    problems = Problems(source or "campaign")
    campaign = parse(spec, problems, ctx, str(spec.get("id", "")))
    problems.raise_if_any()
    assert campaign is not None
    return campaign


def parse(data: Any, problems: Problems, ctx: LoadContext, default_id: str = "") -> Campaign | None:
    if not isinstance(data, dict):
        problems.add((), "tệp chiến dịch phải là một bảng các trường `tên: giá trị`")
        return None
    for key in data:
        if key not in TOP_KEYS:
            problems.add((key,), f"trường `{key}` không có trong mẫu chiến dịch (các trường: {', '.join(TOP_KEYS)})")
    campaign_id = str(data.get("id") or default_id)
    if not ID_PATTERN.fullmatch(campaign_id):
        problems.add(("id",), f"mã chiến dịch `{campaign_id}` chỉ gồm chữ thường không dấu, số và dấu gạch ngang")
    title = _text(data, "title", problems)
    channel = data.get("channel", "consultation")
    if channel not in CHANNELS:
        problems.add(("channel",), f"kênh `{channel}` không hợp lệ; chọn một trong: {', '.join(CHANNELS)}")
        return None
    enabled = data.get("enabled", False)
    if not isinstance(enabled, bool):
        problems.add(("enabled",), "`enabled` phải là true hoặc false")
    audience = parse_audience(data.get("audience"), channel, problems, ctx)
    schedule = parse_schedule(data.get("schedule"), problems, ctx.tz)
    content = parse_content(data, channel, problems, ctx.placeholders)
    if problems.items or audience is None or schedule is None or content is None:
        return None
    spec = dict(data, id=campaign_id)
    return Campaign(campaign_id, title, channel, content, audience, schedule, enabled is True, spec, problems.source)


def parse_audience(raw: Any, channel: str, problems: Problems, ctx: LoadContext) -> Audience | None:
    path = ("audience",)
    if channel == "article":
        if raw not in (None, {"all_followers": True}):
            problems.add(path, "tin bài phát rộng (article) chỉ lọc theo `target` nhân khẩu học của Zalo, "
                               "không theo chủ đề, nhãn hay danh sách; bỏ `audience` hoặc dùng kênh consultation")
        return Audience("all_followers")
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in AUDIENCE_KINDS:
        problems.add(path, "`audience` cần đúng một trong: all_followers: true | topic: <chủ đề> | tag: <nhãn> "
                           "| users: [<mã người dùng>, …]")
        return None
    kind, value = next(iter(raw.items()))
    if kind == "all_followers":
        if value is not True:
            problems.add(path + (kind,), "viết `all_followers: true`")
        return Audience(kind)
    values = [str(v).strip() for v in (value if isinstance(value, list) else [value]) if v is not None]
    if not values or not all(values):
        problems.add(path + (kind,), f"`{kind}` không được để trống")
        return None
    if kind == "topic" and (unknown := [v for v in values if v not in ctx.topics]):
        problems.add(path + (kind,), f"chủ đề `{unknown[0]}` chưa khai báo trong config (campaigns.topics: "
                                     f"{', '.join(ctx.topics) or 'trống'})")
    return Audience(kind, tuple(dict.fromkeys(values)))


def parse_schedule(raw: Any, problems: Problems, tz: ZoneInfo) -> Schedule | None:
    path = ("schedule",)
    if raw is None:
        return Schedule("manual")
    if not isinstance(raw, dict) or ("at" in raw) == ("cron" in raw):
        problems.add(path, "`schedule` cần `at: \"YYYY-MM-DD HH:MM\"` (một lần) hoặc `cron: \"phút giờ ngày tháng thứ\"`")
        return None
    for key in raw:
        if key not in ("at", "cron", "start", "end"):
            problems.add(path + (key,), f"trường `{key}` không có trong `schedule` (at, cron, start, end)")
    if "at" in raw:
        at = parse_time(raw["at"], path + ("at",), problems, tz)
        if "start" in raw or "end" in raw:
            problems.add(path, "`start`/`end` chỉ dùng với `cron`")
        return Schedule("once", at=at) if at else None
    start = parse_time(raw["start"], path + ("start",), problems, tz) if raw.get("start") else None
    end = parse_time(raw["end"], path + ("end",), problems, tz, end_of_day=True) if raw.get("end") else None
    schedule = Schedule("cron", cron=str(raw["cron"]).strip(), start=start, end=end)
    try:
        trigger = make_trigger(schedule, tz)
    except ValueError as exc:
        problems.add(path + ("cron",), str(exc))
        return None
    if start and end and next_fire(trigger, start) is None:
        problems.add(path, "lịch không có lần gửi nào trong khoảng `start`–`end`")
    return schedule


def parse_time(raw: Any, path: tuple, problems: Problems, tz: ZoneInfo, end_of_day: bool = False) -> datetime | None:
    """Local wall-clock time in the configured zone; a bare date means its start (or end)."""
    text = str(raw).strip()
    for fmt in DATE_FORMATS:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if end_of_day and "%H" not in fmt:
            moment = datetime.combine(moment.date(), time(23, 59, 59))
        return moment.replace(tzinfo=tz)
    problems.add(path, f"thời gian `{text}` không đúng dạng \"YYYY-MM-DD HH:MM\" hoặc \"DD/MM/YYYY HH:MM\"")
    return None


def _text(data: dict, key: str, problems: Problems) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add((key,) if key in data else (), f"thiếu `{key}` (một dòng chữ)")
        return ""
    return value.strip()
