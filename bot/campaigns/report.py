"""What happened in a run: counts by status and reason, and the 48-hour free window.

Zalo consultation messages are free within 48 hours of the citizen's last interaction and billed
from 48 hours to 7 days (reference §7); `free_48h` / `billed_48h_7d` split what was delivered.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

CSV_COLUMNS = ("user_id", "status", "reason", "free_48h", "attempts", "message_id", "error_code", "updated_at")
DELIVERED = ("sent", "sandbox")


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
    }


def csv_rows(db: Any, run_id: int) -> Iterator[tuple[Any, ...]]:
    yield from db.execute(
        "SELECT user_id, status, coalesce(reason, ''), free_window, attempts, coalesce(message_id, ''),"
        " coalesce(error_code, ''), updated_at FROM campaign_deliveries WHERE run_id = ? ORDER BY user_id", [run_id])


def write_csv(db: Any, run_id: int, out: IO[str]) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in csv_rows(db, run_id):
        writer.writerow(row)
        count += 1
    return count
