"""Report periods: a month (2026-12), a quarter (2026-Q4), a year (2026) or any range of local dates.

A period is a half-open range of local days [start, end); its UTC bounds come from the configured
timezone, so "December" means December in Vietnam, not in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import iso


class PeriodError(ValueError):
    """Not a period the report understands (the message is for officers)."""


@dataclass(frozen=True)
class Period:
    label: str  # as written: 2026-12, 2026-Q4, 2026, or 2026-10-01..2026-10-15
    kind: str  # month | quarter | year | range
    start: date  # first local day
    end: date  # the day after the last

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def bounds(self, tz: ZoneInfo) -> tuple[str, str]:
        """UTC ISO bounds, as stored timestamps are written (bot/clock.py)."""
        return (iso(datetime.combine(self.start, time(), tz)), iso(datetime.combine(self.end, time(), tz)))

    def previous(self) -> Period:
        """The period before: the previous month, quarter or year, or as many days just before."""
        if self.kind == "month":
            start = (self.start - timedelta(days=1)).replace(day=1)
            return Period(f"{start:%Y-%m}", "month", start, self.start)
        if self.kind == "quarter":
            start = _add_months(self.start, -3)
            return Period(f"{start.year}-Q{(start.month - 1) // 3 + 1}", "quarter", start, self.start)
        if self.kind == "year":
            start = self.start.replace(year=self.start.year - 1)
            return Period(str(start.year), "year", start, self.start)
        start = self.start - (self.end - self.start)
        return Period(f"{start}..{self.start - timedelta(days=1)}", "range", start, self.start)

    def closed(self, today: date) -> bool:
        """Entirely in the past: its figures no longer change."""
        return self.end <= today


def parse_period(text: str | None, date_from: str | None = None, date_to: str | None = None) -> Period:
    """`--period` or `--from`/`--to` (both local dates, `--to` included)."""
    if date_from or date_to:
        if text or not (date_from and date_to):
            raise PeriodError("dùng --period, hoặc cả --from và --to (ngày dạng YYYY-MM-DD)")
        start, last = _date(date_from), _date(date_to)
        if last < start:
            raise PeriodError(f"--to {date_to} trước --from {date_from}")
        return Period(f"{start}..{last}", "range", start, last + timedelta(days=1))
    if not text:
        raise PeriodError("cần --period (ví dụ: 2026-12, 2026-Q4, 2026), hoặc cả --from và --to")
    value = text.strip().upper()
    if match := re.fullmatch(r"(\d{4})-(\d{2})", value):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"tháng không hợp lệ: {text}")
        start = date(year, month, 1)
        return Period(value, "month", start, _add_months(start, 1))
    if match := re.fullmatch(r"(\d{4})-Q([1-4])", value):
        start = date(int(match[1]), 3 * int(match[2]) - 2, 1)
        return Period(value, "quarter", start, _add_months(start, 3))
    if re.fullmatch(r"\d{4}", value):
        return Period(value, "year", date(int(value), 1, 1), date(int(value) + 1, 1, 1))
    raise PeriodError(f"kỳ báo cáo không hợp lệ: {text!r} (ví dụ: 2026-12, 2026-Q4, 2026)")


def utc_offset_modifier(tz: ZoneInfo, at: date) -> str:
    """SQLite's modifier turning a stored UTC time into local time, e.g. '+420 minutes' for Vietnam.
    Taken at the given day: exact for zones without daylight saving time, like Asia/Ho_Chi_Minh."""
    offset = datetime.combine(at, time(12), tz).utcoffset() or timedelta()
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def local_today(tz: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(tz).date()


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"ngày không hợp lệ: {text!r} (dạng YYYY-MM-DD)") from None
