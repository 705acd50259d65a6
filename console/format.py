"""How the console shows times, statuses and numbers: local time (config `timezone`), Vietnamese words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from bot.clock import utc_now
from bot.config import Config

CAMPAIGN_STATUSES = {"draft": "Bản nháp", "scheduled": "Đã lên lịch", "running": "Đang gửi", "paused": "Tạm dừng",
                     "done": "Đã gửi xong", "cancelled": "Đã hủy", "failed": "Dừng vì lỗi"}
RUN_STATUSES = {"missed": "Bỏ lỡ", "pending": "Chờ gửi", "sending": "Đang gửi", "waiting": "Chờ hết giờ yên lặng",
                "paused": "Tạm dừng", "done": "Đã gửi xong", "cancelled": "Đã hủy", "failed": "Lỗi"}
DELIVERY_STATUSES = {"sent": "Đã gửi", "sandbox": "Đã gửi (thử nghiệm)", "skipped": "Bỏ qua", "failed": "Lỗi",
                     "ambiguous": "Không rõ", "pending": "Chờ gửi", "sending": "Đang gửi", "send": "Sẽ gửi"}
REASONS = {"not_follower": "không còn quan tâm OA", "do_not_contact": "đã yêu cầu xóa dữ liệu",
           "unknown_user": "chưa từng tương tác", "outside_7_day_window": "quá 7 ngày chưa tương tác",
           "receive_quota_exhausted": "hết lượt nhận tin", "banned_or_inactive": "tài khoản bị khóa/không hoạt động",
           "restricted_message_type": "loại tin bị hạn chế", "blocked_invitation": "đã chặn OA",
           "cancelled": "chiến dịch bị hủy", "officer": "cán bộ thao tác"}
CHANNELS = {"consultation": "Tin tư vấn", "article": "Tin bài phát rộng", "template": "Tin mẫu ZBS"}
TICKET_STATUSES = {"open": "Chờ xử lý", "answered": "Đã phản hồi", "closed": "Đã đóng"}
REPLY_STATUSES = {"sent": "đã gửi", "held": "chờ người dân nhắn lại", "released": "đã gửi kèm tin trả lời",
                  "failed": "gửi lỗi", "sending": "đang gửi"}
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def local(stamp: str | datetime | None, tz: ZoneInfo, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A stored UTC ISO time (or an aware datetime) as local wall-clock text; '—' when empty."""
    if not stamp:
        return "—"
    moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    return moment.astimezone(tz).strftime(fmt)


def age(stamp: str | None) -> str:
    """How long ago, in words staff read at a glance."""
    if not stamp:
        return "—"
    seconds = (utc_now() - datetime.fromisoformat(stamp)).total_seconds()
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))} phút"
    if seconds < 86400:
        return f"{int(seconds // 3600)} giờ"
    return f"{int(seconds // 86400)} ngày"


def local_run(text: str | None) -> str:
    """`Campaigns.summary`'s next run ("YYYY-MM-DD HH:MM", already local) with its weekday."""
    if not text:
        return "—"
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M")
    return f"{WEEKDAYS[moment.weekday()]}, {moment:%d/%m/%Y %H:%M}"


def number(value: int | float | None) -> str:
    return f"{value or 0:,}".replace(",", ".")


def register_filters(app: Flask, config: Config) -> None:
    tz = ZoneInfo(config.timezone)
    app.jinja_env.filters.update(
        localtime=lambda stamp, fmt="%d/%m/%Y %H:%M": local(stamp, tz, fmt), age=age, number=number, localrun=local_run,
        campaign_status=lambda s: CAMPAIGN_STATUSES.get(s, s), run_status=lambda s: RUN_STATUSES.get(s, s),
        delivery_status=lambda s: DELIVERY_STATUSES.get(s, s), reason=lambda s: REASONS.get(s, s),
        channel=lambda s: CHANNELS.get(s, s), ticket_status=lambda s: TICKET_STATUSES.get(s, s),
        reply_status=lambda s: REPLY_STATUSES.get(s, s),
    )
