"""The campaign form ⇄ the campaign YAML mapping the CLI reads (campaigns/README.md).

Officers choose a schedule in words ("hằng tuần thứ Hai 08:00", "ngày làm việc đầu tiên mỗi
tháng", "mỗi quý"); this module turns it into the `schedule` the loader knows (`at` or `cron`)
and back. It does no campaign validation of its own: the YAML goes through the same loader as
`campaigns add --check`, and the loader's `file:line` problems are put back next to the field
that produced that line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import time
from typing import Any

import yaml
from werkzeug.datastructures import MultiDict

from bot.campaigns.model import NIGHT_RULE_CHANNELS
from bot.campaigns.schedule import NIGHT_RULE, Window, quiet_window
from bot.campaigns.yamlsource import read_yaml

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = dict(zip(DAYS, ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"), strict=True))
SCHEDULES = {"manual": "Chỉ gửi khi bấm \u201cGửi ngay\u201d", "once": "Một lần", "weekly": "Hằng tuần",
             "monthly": "Ngày làm việc đầu tiên mỗi tháng", "quarterly": "Mỗi quý", "custom": "Lịch tùy chỉnh (trong tệp)"}
BUTTON_KINDS = {"url": "Mở trang web", "phone": "Gọi điện", "query": "Gửi câu hỏi"}
MAX_BUTTONS = 5
QUARTER_MONTHS = "1,4,7,10"
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_WEEKLY = re.compile(r"(\d+) (\d+) \* \* (mon|tue|wed|thu|fri|sat|sun)")
_MONTHLY = re.compile(r"(\d+) (\d+) 1 \* mon-fri \| \1 \2 2-3 \* mon")
_QUARTERLY = re.compile(rf"(\d+) (\d+) (\d+) {QUARTER_MONTHS} \*")
# Which form field a loader problem belongs to, by the YAML path of its line.
FIELD_OF = {("id",): "id", ("title",): "title", ("enabled",): "enabled", ("audience",): "audience",
            ("schedule",): "schedule", ("message",): "text", ("message", "text"): "text",
            ("message", "image_url"): "image_url", ("message", "buttons"): "buttons"}


@dataclass
class CampaignForm:
    id: str = ""
    title: str = ""
    note: str = ""
    enabled: bool = False
    channel: str = "consultation"
    audience_kind: str = "all_followers"
    topics: list[str] = field(default_factory=list)
    tags: str = ""
    users: list[str] = field(default_factory=list)  # an explicit list written in the file, kept as is
    text: str = ""
    image_url: str = ""
    buttons: list[dict[str, str]] = field(default_factory=list)
    schedule_kind: str = "manual"
    date: str = ""  # once: YYYY-MM-DD
    clock: str = "08:00"  # HH:MM for every kind but manual
    weekday: str = "mon"
    quarter_day: str = "1"
    custom: dict[str, str] = field(default_factory=dict)  # a cron written in the file, kept as is
    version: str = ""  # digest of the file as it was when the form was opened
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def padded_buttons(self) -> list[dict[str, str]]:
        return self.buttons + [{"title": "", "kind": "url", "value": ""}] * (MAX_BUTTONS - len(self.buttons))


def digest(text: str | None) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text is not None else ""


def from_request(form: MultiDict) -> CampaignForm:
    """What the officer typed, kept as typed (a form with errors shows it again)."""
    buttons = []
    for i in range(MAX_BUTTONS):
        title, kind, value = (form.get(f"button_{i}_{part}", "").strip() for part in ("title", "kind", "value"))
        if title or value:
            buttons.append({"title": title, "kind": kind if kind in BUTTON_KINDS else "url", "value": value})
    custom = {k: form.get(f"custom_{k}", "") for k in ("cron", "start", "end") if form.get(f"custom_{k}")}
    return CampaignForm(
        id=form.get("id", "").strip(), title=form.get("title", "").strip(), note=form.get("note", "").strip(),
        enabled=form.get("enabled") == "1", channel=form.get("channel", "consultation"),
        audience_kind=form.get("audience_kind", "all_followers"), topics=form.getlist("topics"),
        tags=form.get("tags", "").strip(), users=form.get("audience_users", "").split(),
        text=form.get("text", "").replace("\r\n", "\n").strip(),
        image_url=form.get("image_url", "").strip(), buttons=buttons,
        schedule_kind=form.get("schedule_kind", "manual"), date=form.get("date", "").strip(),
        clock=form.get("clock", "").strip(), weekday=form.get("weekday", "mon"),
        quarter_day=form.get("quarter_day", "1").strip(), custom=custom, version=form.get("version", ""))


def from_spec(spec: dict[str, Any], version: str = "") -> CampaignForm:
    """A stored campaign as the form shows it."""
    message = spec.get("message") or {}
    buttons = []
    for button in message.get("buttons") or []:
        kind = next((k for k in BUTTON_KINDS if k in button), "url")
        buttons.append({"title": str(button.get("title", "")), "kind": kind, "value": str(button.get(kind, ""))})
    audience = spec.get("audience") or {"all_followers": True}
    kind, value = next(iter(audience.items()))
    values = [str(v) for v in (value if isinstance(value, list) else [value])]
    form = CampaignForm(
        id=str(spec.get("id", "")), title=str(spec.get("title", "")), note=str(spec.get("note", "") or ""),
        enabled=spec.get("enabled") is True, channel=str(spec.get("channel", "consultation")),
        audience_kind=kind, topics=values if kind == "topic" else [], tags=", ".join(values) if kind == "tag" else "",
        users=values if kind == "users" else [],
        text=str(message.get("text", "")).strip(), image_url=str(message.get("image_url", "")), buttons=buttons,
        version=version)
    _schedule_from_spec(form, spec.get("schedule"))
    return form


def _schedule_from_spec(form: CampaignForm, schedule: Any) -> None:
    if not isinstance(schedule, dict):
        form.schedule_kind = "manual"
        return
    if "at" in schedule:
        date, _, clock = str(schedule["at"]).partition(" ")
        form.schedule_kind, form.date, form.clock = "once", date, clock[:5]
        return
    cron = " ".join(str(schedule.get("cron", "")).split())
    plain = not schedule.get("start") and not schedule.get("end")
    if plain and (m := _WEEKLY.fullmatch(cron)):
        form.schedule_kind, form.clock, form.weekday = "weekly", _clock(m[1], m[2]), m[3]
    elif plain and (m := _MONTHLY.fullmatch(cron)):
        form.schedule_kind, form.clock = "monthly", _clock(m[1], m[2])
    elif plain and (m := _QUARTERLY.fullmatch(cron)):
        form.schedule_kind, form.clock, form.quarter_day = "quarterly", _clock(m[1], m[2]), m[3]
    else:
        form.schedule_kind = "custom"
        form.custom = {k: str(schedule[k]) for k in ("cron", "start", "end") if schedule.get(k)}


def _clock(minute: str, hour: str) -> str:
    return f"{int(hour):02d}:{int(minute):02d}"


def audience_words(form: CampaignForm, topics: dict[str, str]) -> str:
    """Who receives it, with the topics' names as citizens see them."""
    if form.audience_kind == "topic":
        return "người đăng ký: " + ", ".join(topics.get(t, t) for t in form.topics)
    if form.audience_kind == "tag":
        return "người có nhãn: " + form.tags
    if form.audience_kind == "users":
        return f"danh sách {len(form.users)} người trong tệp"
    return "tất cả người quan tâm OA"


def describe(form: CampaignForm) -> str:
    """The schedule in the officer's words (no cron)."""
    kind = form.schedule_kind
    if kind == "once":
        year, _, rest = form.date.partition("-")
        month, _, day = rest.partition("-")
        return f"một lần lúc {form.clock} ngày {day}/{month}/{year}"
    if kind == "weekly":
        return f"hằng tuần {DAY_LABELS.get(form.weekday, form.weekday)} {form.clock}"
    if kind == "monthly":
        return f"ngày làm việc đầu tiên mỗi tháng, {form.clock}"
    if kind == "quarterly":
        return f"mỗi quý, ngày {form.quarter_day} tháng đầu quý (tháng 1, 4, 7, 10), {form.clock}"
    if kind == "custom":
        return "lịch tùy chỉnh trong tệp chiến dịch"
    return "chỉ gửi khi cán bộ bấm \u201cGửi ngay\u201d"


def to_spec(form: CampaignForm) -> dict[str, Any]:
    """The campaign mapping for the YAML file. Only form-reading problems are reported here
    (a missing hour); everything about the campaign itself is the loader's to judge."""
    spec: dict[str, Any] = {"id": form.id, "title": form.title}
    if form.note:
        spec["note"] = form.note
    spec["enabled"] = form.enabled
    spec["channel"] = form.channel
    if form.audience_kind == "topic":
        spec["audience"] = {"topic": form.topics if len(form.topics) != 1 else form.topics[0]}
    elif form.audience_kind == "tag":
        tags = [t.strip() for t in form.tags.split(",") if t.strip()]
        spec["audience"] = {"tag": tags if len(tags) != 1 else tags[0]}
    elif form.audience_kind == "users":
        spec["audience"] = {"users": form.users}
    else:
        spec["audience"] = {"all_followers": True}
    schedule = _schedule(form)
    if schedule is not None:
        spec["schedule"] = schedule
    message: dict[str, Any] = {"text": form.text}
    if form.image_url:
        message["image_url"] = form.image_url
    if form.buttons:
        message["buttons"] = [{"title": b["title"], b["kind"]: b["value"]} for b in form.buttons]
    spec["message"] = message
    return spec


def _schedule(form: CampaignForm) -> dict[str, str] | None:
    kind = form.schedule_kind
    if kind == "manual":
        return None
    if kind == "custom":
        return dict(form.custom)
    match = _TIME.fullmatch(form.clock)
    if not match:
        form.error("schedule", "Chọn giờ gửi (giờ:phút, ví dụ 08:00).")
        return None
    hour, minute = int(match[1]), int(match[2])
    if kind == "once":
        return {"at": f"{form.date} {hour:02d}:{minute:02d}"}
    if kind == "weekly":
        return {"cron": f"{minute} {hour} * * {form.weekday}"}
    if kind == "monthly":
        return {"cron": f"{minute} {hour} 1 * mon-fri | {minute} {hour} 2-3 * mon"}
    if kind == "quarterly":
        if not form.quarter_day.isdigit() or not 1 <= int(form.quarter_day) <= 28:
            form.error("schedule", "Ngày trong tháng đầu quý phải từ 1 đến 28.")
            return None
        return {"cron": f"{minute} {hour} {int(form.quarter_day)} {QUARTER_MONTHS} *"}
    form.error("schedule", "Chọn một kiểu lịch gửi.")
    return None


class _Dumper(yaml.SafeDumper):
    """Multi-line text as a `|` block, as officers write it by hand."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(spec: dict[str, Any], header: str) -> str:
    body = yaml.dump(spec, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000)
    return "".join(f"# {line}\n" for line in header.splitlines()) + body


def place_problems(form: CampaignForm, problems: list[str], text: str, source: str) -> None:
    """Put each loader problem (`source:line: message`) next to the field whose YAML is on that line."""
    _, located = read_yaml(text, source)
    by_line: dict[int, tuple[Any, ...]] = {}
    for path, line in sorted(located.lines.items(), key=lambda item: len(item[0])):
        by_line[line] = path  # the deepest path starting on a line wins
    for problem in problems:
        rest = problem[len(source) + 1:] if problem.startswith(source + ":") else problem
        line_text, _, message = rest.partition(": ")
        path = by_line.get(int(line_text), ()) if line_text.strip().isdigit() else ()
        if not message:
            message = rest.strip()
        form.error(_field(path, message), message)


def _field(path: tuple[Any, ...], message: str) -> str:
    for depth in range(len(path), 0, -1):
        name = FIELD_OF.get(tuple(path[:depth]))
        if name:
            return name
    return "schedule" if "schedule" in message or "lịch" in message else "form"


def time_warnings(form: CampaignForm, quiet_hours: str) -> list[str]:
    """Warnings (not errors) when the chosen hour falls in our quiet hours or Zalo's night rule."""
    match = _TIME.fullmatch(form.clock)
    if form.schedule_kind in ("manual", "custom") or not match:
        return []
    moment = time(int(match[1]), int(match[2]))
    found = []
    quiet = quiet_window(quiet_hours)
    if quiet and quiet.contains(moment):
        found.append(f"{form.clock} nằm trong giờ yên lặng ({_span(quiet)}): tin sẽ chờ tới "
                     f"{quiet.resume:%H:%M} mới gửi.")
    if form.channel in NIGHT_RULE_CHANNELS and NIGHT_RULE.contains(moment):
        found.append(f"{form.clock} nằm trong khung đêm Zalo cấm gửi tin quảng bá ({_span(NIGHT_RULE)}).")
    return found


def _span(window: Window) -> str:
    return f"{window.start:%H:%M}–{window.end:%H:%M}"
