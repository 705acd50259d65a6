"""The periodic report in the console: officers read the same figures as `python -m bot report`,
with charts, and download the Excel workbook; staff may not; a wrong period is said in Vietnamese."""

from __future__ import annotations

import io
import re
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.reports.build import build_report
from bot.reports.period import local_today, parse_period
from tests.consolekit import console_harness, login, visible
from tests.harness import Harness, text_event


@pytest.fixture
def h(tmp_path, fake_zalo):
    harness = console_harness(tmp_path, fake_zalo)
    yield harness
    harness.runtime.stop()


def test_officer_reads_the_month_and_downloads_the_workbook(h: Harness) -> None:
    for n in range(3):
        assert h.post(text_event(f"u{n}", "đăng ký khai sinh cần giấy tờ gì")).status_code == 200
    h.wait_idle()
    login(h.client, "truyenthong")
    month = local_today(ZoneInfo(h.runtime.config.timezone))
    page = h.client.get("/console/reports")  # the current month by default
    assert page.status_code == 200
    text = visible(page.get_data(as_text=True))
    expected = build_report(h.runtime.storage, h.runtime.config, parse_period(f"{month:%Y-%m}"))
    assert f"Tháng {month.month}/{month.year}" in text and expected["questions"]["received"] == 3
    assert re.search(r"Câu hỏi tiếp nhận\s+3\b", text), text[:2000]
    workbook = h.client.get(f"/console/reports?period={month:%Y-%m}&format=xlsx")
    assert workbook.status_code == 200 and workbook.headers["Content-Disposition"].endswith(".xlsx")
    sheets = load_workbook(io.BytesIO(workbook.data)).sheetnames
    assert len(sheets) >= 5
    assert h.client.get("/console/reports?period=2026-13").status_code == 400


def test_staff_may_not_open_reports(h: Harness) -> None:
    login(h.client, "tiepnhan")
    assert h.client.get("/console/reports").status_code == 403
