"""The report as an Excel workbook officers can paste into their own report to the province: one
sheet per section, Vietnamese headers, local dates, native Excel charts (openpyxl)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.reports.labels import CAMPAIGN_COLUMNS, FIGURES, SECTIONS, SURVEY_KINDS, overview, period_title

BOLD = Font(bold=True)
DATE_FORMAT = "DD/MM/YYYY"


def write_xlsx(report: dict[str, Any], out: str | Path | IO[bytes]) -> None:
    book = Workbook()
    _overview(book.worksheets[0], report)  # the sheet a new workbook starts with
    _citizens(book.create_sheet(SECTIONS["citizens"][:31]), report)
    _questions(book.create_sheet(SECTIONS["questions"]), report)
    _ratings(book.create_sheet(SECTIONS["ratings"]), report)
    _tickets(book.create_sheet(SECTIONS["tickets"]), report)
    _handoffs(book.create_sheet(SECTIONS["handoffs"]), report)
    _campaigns(book.create_sheet(SECTIONS["campaigns"]), report)
    if "comparison" in report:
        _comparison(book.create_sheet(SECTIONS["comparison"]), report)
    book.save(out)


def _header(sheet: Worksheet, *titles: str) -> None:
    sheet.append(list(titles))
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def _overview(sheet: Worksheet, report: dict[str, Any]) -> None:
    sheet.title = "Tổng quan"
    period = report["period"]
    sheet.append([period_title(report)])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, day in (("Từ ngày", period["from"]), ("Đến ngày", period["to"])):
        sheet.append([label, date.fromisoformat(day)])
        sheet.cell(sheet.max_row, 2).number_format = DATE_FORMAT
    sheet.append(["Lập lúc (giờ Việt Nam)", period["generated_at"][:16].replace("T", " ")])
    sheet.append(["Kỳ đã kết thúc", "có" if period["closed"] else "chưa (số liệu còn thay đổi)"])
    sheet.append([])
    _header(sheet, "Chỉ tiêu", "Số liệu")
    for label, value in overview(report):
        sheet.append([label, value])
    sheet.column_dimensions["A"].width = 42


def _citizens(sheet: Worksheet, report: dict[str, Any]) -> None:
    _header(sheet, "Chỉ tiêu", "Số liệu")
    for key in ("citizens.distinct", "citizens.messages", "followers.new", "followers.unfollowed", "followers.net",
                "answers.sent", "answers.received", "answers.seen"):
        section, name = key.split(".")
        sheet.append([FIGURES[key], report[section][name]])
    sheet.column_dimensions["A"].width = 42


def _questions(sheet: Worksheet, report: dict[str, Any]) -> None:
    questions = report["questions"]
    _header(sheet, "Lĩnh vực", "Tiếp nhận", "Đã trả lời", "Gợi ý câu hỏi", "Chưa có câu trả lời")
    for topic in questions["by_topic"]:
        sheet.append([topic["name"], topic["received"], topic["answered"], topic["suggested"], topic["fallback"]])
    rows = len(questions["by_topic"])
    sheet.append(["Tổng cộng", questions["received"], questions["answered"], questions["suggested"], questions["fallback"]])
    sheet[sheet.max_row][0].font = BOLD
    if rows:
        _bar(sheet, "Câu hỏi theo lĩnh vực", min_col=3, max_col=5, rows=rows, anchor="H2")
    sheet.append([])
    _header(sheet, f"{len(questions['top_unanswered'])} câu hỏi chưa có câu trả lời nhiều nhất", "Số lần hỏi")
    for item in questions["top_unanswered"]:
        sheet.append([item["question"], item["count"]])
    sheet.column_dimensions["A"].width = 48


def _ratings(sheet: Worksheet, report: dict[str, Any]) -> None:
    ratings = report["ratings"]
    _header(sheet, "Lĩnh vực", "Hữu ích", "Chưa đúng", "Tỷ lệ hữu ích (%)")
    for topic in ratings["by_topic"]:
        sheet.append([topic["name"], topic["useful"], topic["not_useful"], _percent(topic["useful_share"])])
    rows = len(ratings["by_topic"])
    sheet.append(["Tổng cộng", ratings["useful"], ratings["not_useful"], _percent(ratings["useful_share"])])
    sheet[sheet.max_row][0].font = BOLD
    if rows:
        _bar(sheet, "Đánh giá câu trả lời theo lĩnh vực", min_col=2, max_col=3, rows=rows, anchor="G2")
    sheet.append([])
    _header(sheet, "Khảo sát mức độ hài lòng", "Đã hỏi", "Hài lòng", "Chưa hài lòng")
    for kind, label in SURVEY_KINDS.items():
        counts = ratings["survey"][kind]
        sheet.append([label, counts["asked"], counts["satisfied"], counts["unsatisfied"]])
    sheet.column_dimensions["A"].width = 40


def _tickets(sheet: Worksheet, report: dict[str, Any]) -> None:
    tickets = report["tickets"]
    _header(sheet, "Chỉ tiêu", "Số liệu")
    for key in ("received", "resolved", "resolved_on_time", "median_hours_to_resolve", "still_open"):
        sheet.append([FIGURES[f"tickets.{key}"], tickets[key]])
    sheet.append(["Thời hạn xử lý (ngày)", tickets["deadline_days"]])
    sheet.append([])
    _header(sheet, "Lĩnh vực phản ánh", "Tiếp nhận")
    for item in tickets["by_topic"]:
        sheet.append([item["topic"], item["received"]])
    sheet.column_dimensions["A"].width = 40


def _handoffs(sheet: Worksheet, report: dict[str, Any]) -> None:
    _header(sheet, "Chỉ tiêu", "Số liệu")
    for key in ("count", "answered_by_staff", "median_wait_minutes"):
        sheet.append([FIGURES[f"handoffs.{key}"], report["handoffs"][key]])
    sheet.column_dimensions["A"].width = 40


def _campaigns(sheet: Worksheet, report: dict[str, Any]) -> None:
    _header(sheet, *(title for _, title in CAMPAIGN_COLUMNS), "Ghi chú")
    for campaign in report["campaigns"]:
        sheet.append([campaign[key] for key, _ in CAMPAIGN_COLUMNS] + [campaign["note"]])
    rows = len(report["campaigns"])
    if rows:
        _bar(sheet, "Tin chiến dịch: đã gửi, đã nhận, đã xem", min_col=4, max_col=6, rows=rows, anchor="K2", title_col=2)
    sheet.column_dimensions["B"].width = 36


def _comparison(sheet: Worksheet, report: dict[str, Any]) -> None:
    comparison = report["comparison"]
    _header(sheet, "Chỉ tiêu", f"Kỳ này ({report['period']['label']})", f"Kỳ trước ({comparison['previous_period']})",
            "Chênh lệch")
    for key, values in comparison["figures"].items():
        sheet.append([FIGURES.get(key, key), values["current"], values["previous"], values["change"]])
    _bar(sheet, "So sánh với kỳ trước", min_col=2, max_col=3, rows=len(comparison["figures"]), anchor="G2")
    sheet.column_dimensions["A"].width = 42


def _bar(sheet: Worksheet, title: str, *, min_col: int, max_col: int, rows: int, anchor: str, title_col: int = 1) -> None:
    """A clustered bar chart of columns min_col..max_col (header in row 1) against the row labels."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.add_data(Reference(sheet, min_col=min_col, max_col=max_col, min_row=1, max_row=rows + 1), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=title_col, min_row=2, max_row=rows + 1))
    chart.height, chart.width = 7 + rows * 0.4, 16
    sheet.add_chart(chart, anchor)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)
