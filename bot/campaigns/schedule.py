"""Time rules: when a campaign is due (APScheduler triggers in an explicit zone) and when it may
not send (our quiet hours, Zalo's night rule for promotional channels).

Cron day-of-week must be written with names (mon … sun): APScheduler 3 reads 0 as Monday while
classic cron reads it as Sunday, and a campaign landing on the wrong day is worse than an error.
As in APScheduler (unlike classic cron), day-of-month and day-of-week must both match, so
"0 8 1-7 * mon" is the first Monday of each month. Expressions joined by "|" fire when any of them
does: "0 8 1 * mon-fri | 0 8 2-3 * mon" is the first working day (Monday–Friday) of each month.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot.campaigns.model import NIGHT_RULE_CHANNELS, Schedule

MAX_LISTED = 100  # missed fire times recorded one by one after an outage; earlier ones are counted


def make_trigger(schedule: Schedule, tz: ZoneInfo) -> BaseTrigger | None:
    """The trigger for a schedule, or None for manual campaigns. ValueError explains a bad cron."""
    if schedule.kind == "once":
        return DateTrigger(run_date=schedule.at, timezone=tz)
    if schedule.kind != "cron":
        return None
    if "|" in schedule.cron:  # alternatives, e.g. the first working day: "0 8 1 * mon-fri | 0 8 2-3 * mon"
        parts = [make_trigger(replace(schedule, cron=part.strip()), tz) for part in schedule.cron.split("|")]
        return OrTrigger([p for p in parts if p is not None])
    fields = schedule.cron.split()
    if len(fields) != 5:
        raise ValueError(f"cron cần 5 phần \"phút giờ ngày tháng thứ\", ví dụ \"0 8 * * mon\"; có {len(fields)} phần")
    if re.search(r"\d", fields[4]):
        raise ValueError("thứ trong tuần viết bằng tên tiếng Anh (mon, tue, wed, thu, fri, sat, sun), không bằng số")
    minute, hour, day, month, day_of_week = fields
    try:
        return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week,
                           start_date=schedule.start, end_date=schedule.end, timezone=tz)
    except ValueError as exc:
        raise ValueError(f"cron \"{schedule.cron}\" không hợp lệ: {exc}") from None


def next_fire(trigger: BaseTrigger | None, after: datetime) -> datetime | None:
    """The first fire time at or after `after`."""
    return trigger.get_next_fire_time(None, after) if trigger else None


def due_times(trigger: BaseTrigger, next_due: datetime, now: datetime) -> tuple[list[datetime], int, datetime | None]:
    """Fire times from `next_due` up to `now`: the last MAX_LISTED of them (the latest last), how
    many earlier ones were not listed, and the first fire time after `now`."""
    times: deque[datetime] = deque(maxlen=MAX_LISTED)
    total = 0
    moment: datetime | None = next_due
    while moment is not None and moment <= now:
        times.append(moment)
        total += 1
        moment = trigger.get_next_fire_time(moment, moment)
    return list(times), total - len(times), moment


@dataclass(frozen=True)
class Window:
    """A daily local-time window in which campaigns do not send; they continue at `resume`."""

    start: time
    end: time
    resume: time

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


NIGHT_RULE = Window(time(22, 0), time(6, 0), time(6, 5))  # -234, reference §4.3: resume ~06:05


def quiet_window(setting: str) -> Window | None:
    """`"21:00-07:00"` → Window; `""` → None (no quiet hours of our own)."""
    if not setting:
        return None
    start, end = (time.fromisoformat(part) for part in setting.split("-"))
    return None if start == end else Window(start, end, end)


def blocked_until(now: datetime, channel: str, quiet: Window | None) -> datetime | None:
    """When sending may continue if `now` (aware, local) is inside a window that applies, else None."""
    windows = [w for w in (quiet, NIGHT_RULE if channel in NIGHT_RULE_CHANNELS else None) if w]
    moment, blocked = now, False
    for _ in range(len(windows) + 1):  # a window may end inside another one
        inside = [w for w in windows if w.contains(moment.timetz().replace(tzinfo=None))]
        if not inside:
            return moment if blocked else None
        blocked = True
        moment = max(_next_at(moment, w.resume) for w in inside)
    return moment


def _next_at(moment: datetime, clock: time) -> datetime:
    candidate = moment.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
    return candidate if candidate > moment else candidate + timedelta(days=1)
