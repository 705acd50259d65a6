"""What happened in a run: counts by status and reason, the 48-hour free window, and engagement.

Zalo consultation messages are free within 48 hours of the citizen's last interaction and billed
from 48 hours to 7 days (reference §7); `free_48h` / `billed_48h_7d` split what was delivered.

Engagement joins each delivery's Zalo message id to `message_events` (bot/reports/engagement.py
writes them): `received` and `seen` come from Zalo's receipts (a message seen was received, even
when Zalo sent no separate receipt), `replied` and `clicked` from the citizen's next message.
Article broadcasts have no per-person delivery and Zalo sends no receipts for them, so their
engagement is reported as unknown (None), never as 0.

Times shown to officers are local; the CSV has Vietnamese column names unless the machine-readable
codes are asked for (`machine=True`: `--machine`, `?columns=codes`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

CSV_COLUMNS = ("user_id", "status", "reason", "free_48h", "attempts", "message_id", "error_code", "updated_at",
               "received", "seen", "replied", "clicked")
CSV_HEADERS = ("Người nhận (Zalo ID)", "Trạng thái", "Lý do", "Trong 48 giờ miễn phí", "Số lần gửi", "Mã tin Zalo",
               "Mã lỗi", "Cập nhật lúc (giờ Việt Nam)", "Đã nhận", "Đã xem", "Đã trả lời", "Đã bấm nút")
SUMMARY_COLUMNS = ("run_id", "scheduled_for", "trigger", "status", "recipients", "delivered", "received", "seen",
                   "replied", "clicked")
SUMMARY_HEADERS = ("Lượt gửi", "Thời điểm (giờ Việt Nam)", "Cách kích hoạt", "Trạng thái", "Người nhận", "Đã gửi",
                   "Đã nhận", "Đã xem", "Đã trả lời", "Đã bấm nút")
DELIVERED = ("sent", "sandbox")
ENGAGEMENT = ("received", "seen", "replied", "clicked")
NO_SIGNAL = ("Tin bài phát rộng (broadcast): Zalo không báo từng người nhận, đã nhận hay đã xem, "
             "nên các số này không có.")
STATUS_WORDS = {"sent": "đã gửi", "sandbox": "đã ghi (chạy thử)", "skipped": "bỏ qua", "failed": "lỗi",
                "ambiguous": "không rõ kết quả", "pending": "chờ gửi", "sending": "đang gửi",
                "done": "xong", "waiting": "chờ hết giờ yên lặng", "paused": "tạm dừng", "cancelled": "đã hủy",
                "missed": "bỏ lỡ", "schedule": "theo lịch", "late": "trễ", "manual": "gửi ngay"}
REPLY_WINDOW = timedelta(hours=48)  # a citizen's message this soon after a delivery counts as its reply

# One aggregate per run: a delivery counts once per signal, whatever the number of receipts.
_ENGAGEMENT_SQL = (
    "count(d.user_id), coalesce(sum(d.status IN ('sent', 'sandbox')), 0),"
    " coalesce(sum(EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = d.message_id"
    "   AND e.kind IN ('received', 'seen'))), 0),"
    " coalesce(sum(EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = d.message_id AND e.kind = 'seen')), 0),"
    " coalesce(sum(EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = d.message_id AND e.kind = 'replied')), 0),"
    " coalesce(sum(EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = d.message_id AND e.kind = 'clicked')), 0)")


def run_report(db: Any, run_id: int) -> dict[str, Any]:
    rows = db.execute(
        "SELECT status, coalesce(reason, ''), count(*), sum(free_window) FROM campaign_deliveries"
        " WHERE run_id = ? GROUP BY 1, 2 ORDER BY 1, 3 DESC", [run_id]).fetchall()
    by_status: dict[str, int] = {}
    for status, _, count, _ in rows:
        by_status[status] = by_status.get(status, 0) + count
    delivered = sum(by_status.get(s, 0) for s in DELIVERED)
    free = sum(free or 0 for status, _, _, free in rows if status in DELIVERED)
    return {
        "run_id": run_id,
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_reason": [{"status": s, "reason": r, "count": c} for s, r, c, _ in rows if r],
        "delivered": delivered,
        "free_48h": free,
        "billed_48h_7d": delivered - free,
        **engagement(db, [run_id])[run_id],
    }


def engagement(db: Any, run_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per run: recipients, delivered, received, seen, replied, clicked and their shares of the
    delivered; None for article broadcasts (no such signal from Zalo)."""
    if not run_ids:
        return {}
    marks = ",".join("?" * len(run_ids))
    rows = db.execute(
        f"SELECT r.id, c.channel, {_ENGAGEMENT_SQL} FROM campaign_runs r JOIN campaigns c ON c.id = r.campaign_id"
        f" LEFT JOIN campaign_deliveries d ON d.run_id = r.id WHERE r.id IN ({marks}) GROUP BY r.id", run_ids).fetchall()
    result = {run_id: _figures("consultation", 0, 0, 0, 0, 0, 0) for run_id in run_ids}
    for run_id, channel, *counts in rows:
        result[run_id] = _figures(channel, *counts)
    return result


def _figures(channel: str, recipients: int, delivered: int, received: int, seen: int, replied: int,
             clicked: int) -> dict[str, Any]:
    if channel == "article":
        return {"recipients": None, "delivered": None, **{k: None for k in ENGAGEMENT},
                "shares": {k: None for k in ENGAGEMENT}, "note": NO_SIGNAL}
    counts = {"received": received, "seen": seen, "replied": replied, "clicked": clicked}
    return {"recipients": recipients, "delivered": delivered, **counts,
            "shares": {k: round(v / delivered, 4) if delivered else None for k, v in counts.items()}, "note": ""}


def campaign_summary(db: Any, campaign_id: str, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Every run of a campaign (missed ones included, with no figures), oldest first, local times."""
    runs = db.execute("SELECT id, scheduled_for, trigger, status FROM campaign_runs WHERE campaign_id = ? ORDER BY id",
                      [campaign_id]).fetchall()
    figures = engagement(db, [r[0] for r in runs])
    return [{"run_id": run_id, "scheduled_for": local_time(scheduled, tz), "trigger": trigger, "status": status,
             **{k: v for k, v in figures[run_id].items() if k not in ("shares", "note")}}
            for run_id, scheduled, trigger, status in runs]


def summary_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The sum over runs; None stays None when no run has the figure (article broadcasts)."""
    totals: dict[str, Any] = {}
    for key in ("recipients", "delivered", *ENGAGEMENT):
        values = [row[key] for row in rows if row[key] is not None]
        totals[key] = sum(values) if values else None
    return totals


def period_runs(db: Any, start: str, end: str) -> list[dict[str, Any]]:
    """Runs created in [start, end) (UTC ISO), missed ones excepted, with their campaign and figures."""
    rows = db.execute(
        "SELECT r.id, r.campaign_id, c.title, c.channel, r.scheduled_for, r.status FROM campaign_runs r"
        " JOIN campaigns c ON c.id = r.campaign_id WHERE r.created_at >= ? AND r.created_at < ? AND r.status != 'missed'"
        " ORDER BY r.id", [start, end]).fetchall()
    figures = engagement(db, [r[0] for r in rows])
    return [{"run_id": run_id, "campaign_id": cid, "title": title, "channel": channel, "scheduled_for": scheduled,
             "status": status, **figures[run_id]} for run_id, cid, title, channel, scheduled, status in rows]


def latest_delivery(db: Any, user_id: str, since: str) -> tuple[str, dict[str, Any]] | None:
    """The Zalo message id and run message of the last campaign message delivered to this citizen
    since `since`, for counting their reply or button click."""
    row = db.execute(
        "SELECT d.message_id, r.message FROM campaign_deliveries d JOIN campaign_runs r ON r.id = d.run_id"
        " WHERE d.user_id = ? AND d.updated_at >= ? AND d.status IN ('sent', 'sandbox') AND d.message_id IS NOT NULL"
        " AND d.message_id != '' ORDER BY d.updated_at DESC LIMIT 1", [user_id, since]).fetchone()
    return (row[0], json.loads(row[1] or "{}")) if row else None


def csv_rows(db: Any, run_id: int, tz: ZoneInfo) -> Iterator[tuple[Any, ...]]:
    rows = db.execute(
        "SELECT d.user_id, d.status, coalesce(d.reason, ''), d.free_window, d.attempts, coalesce(d.message_id, ''),"
        " coalesce(d.error_code, ''), d.updated_at,"
        " EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = d.message_id AND e.kind IN ('received', 'seen')),"
        " EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = d.message_id AND e.kind = 'seen'),"
        " EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = d.message_id AND e.kind = 'replied'),"
        " EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = d.message_id AND e.kind = 'clicked')"
        " FROM campaign_deliveries d WHERE d.run_id = ? ORDER BY d.user_id", [run_id])
    for row in rows:
        yield (*row[:7], local_time(row[7], tz), *row[8:])


def write_csv(db: Any, run_id: int, out: IO[str], tz: ZoneInfo, machine: bool = False) -> int:
    """One line per recipient of a run. Vietnamese headers and words unless `machine`."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS if machine else CSV_HEADERS)
    count = 0
    for row in csv_rows(db, run_id, tz):
        if not machine:
            row = (row[0], STATUS_WORDS.get(row[1], row[1]), *row[2:3], _yes(row[3]), *row[4:8],
                   *(_yes(v) for v in row[8:]))
        writer.writerow(row)
        count += 1
    return count


def write_summary_csv(rows: list[dict[str, Any]], out: IO[str], machine: bool = False) -> int:
    """One line per run of a campaign and a last line with the totals."""
    writer = csv.writer(out)
    writer.writerow(SUMMARY_COLUMNS if machine else SUMMARY_HEADERS)
    totals = summary_totals(rows)
    for row in [*rows, {"run_id": "total" if machine else "Tổng", "scheduled_for": "", "trigger": "", "status": "",
                        **totals}]:
        words = (lambda v: v) if machine else (lambda v: STATUS_WORDS.get(v, v))
        writer.writerow([row["run_id"], row["scheduled_for"], words(row["trigger"]), words(row["status"]),
                         *("" if row[k] is None else row[k] for k in SUMMARY_COLUMNS[4:])])
    return len(rows)


def local_time(stamp: str | None, tz: ZoneInfo) -> str:
    return datetime.fromisoformat(stamp).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if stamp else ""


def _yes(value: Any) -> str:
    return "có" if value else "không"
