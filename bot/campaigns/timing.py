"""When a campaign will really go out, checked once for `add --check`, `add` and the admin API.

Errors (a one-off time already past, a schedule with no time left) refuse the campaign; warnings
tell the officer that the scheduled time falls in the quiet hours or Zalo's night ban, and when
the message will actually be sent (the end of that window), instead of accepting it silently.
`--check` and `add` call the same function, so a file `--check` calls valid is never refused by
`add` (only disabled drafts may keep a past time: `resume` refuses to start them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.campaigns.model import NIGHT_RULE_CHANNELS, Campaign
from bot.campaigns.schedule import NIGHT_RULE, Window, blocked_until, make_trigger, next_fire
from bot.campaigns.yamlsource import CampaignError


@dataclass(frozen=True)
class Timing:
    """The schedule's next time and the moment it really goes out (both local), and warnings."""

    next_send: datetime | None
    real_send: datetime | None
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.next_send is None:
            return "chỉ gửi khi có lệnh send-now"
        if self.real_send and self.real_send != self.next_send:
            return f"lần gửi tới theo lịch {_when(self.next_send)}, thực sự gửi lúc {_when(self.real_send)}"
        return f"lần gửi tới {_when(self.next_send)}"


def check_timing(campaign: Campaign, now: datetime, tz: ZoneInfo, grace: timedelta, quiet: Window | None) -> Timing:
    """Raise CampaignError for a schedule that cannot run; otherwise its next and real send times."""
    source = campaign.source or campaign.id
    schedule = campaign.schedule
    if schedule.kind == "once" and schedule.at is not None and schedule.at < now - grace:
        message = f"{source}: thời điểm gửi {schedule.at:%d/%m/%Y %H:%M} đã qua; sửa `schedule.at` hoặc dùng send-now"
        if campaign.enabled:
            raise CampaignError([message])
        return Timing(None, None, [message + " (bản nháp này sẽ không bắt đầu được)"])
    trigger = make_trigger(schedule, tz)
    due = next_fire(trigger, now)
    if trigger is not None and due is None:
        message = f"{source}: lịch không còn lần gửi nào sau hôm nay"
        if campaign.enabled:
            raise CampaignError([message])
        return Timing(None, None, [message + " (bản nháp này sẽ không bắt đầu được)"])
    if due is None:
        return Timing(None, None)
    local = max(due, now).astimezone(tz)
    real = blocked_until(local, campaign.channel, quiet) or local
    warnings = []
    if real != local:
        warnings.append(f"{source}: lần gửi {_when(local)} rơi vào {_window_words(local, campaign.channel, quiet)};"
                        f" tin sẽ thực sự được gửi lúc {_when(real)}"
                        + ("; các lần sau theo cron cũng vậy nếu cùng giờ" if schedule.kind == "cron" else ""))
    return Timing(local, real, warnings)


def _window_words(local: datetime, channel: str, quiet: Window | None) -> str:
    moment = local.timetz().replace(tzinfo=None)
    parts = []
    if quiet and quiet.contains(moment):
        parts.append(f"giờ không gửi tin ({quiet.start:%H:%M}–{quiet.end:%H:%M}, campaigns.quiet_hours)")
    if channel in NIGHT_RULE_CHANNELS and NIGHT_RULE.contains(moment):
        parts.append("giờ cấm gửi ban đêm của Zalo (22:00–06:00)")
    return " và ".join(parts) or "giờ không gửi tin"


def _when(moment: datetime) -> str:
    return f"{moment:%H:%M %d/%m/%Y}"
