"""Vietnamese labels shared by the xlsx and html renderings of the report."""

from __future__ import annotations

from typing import Any

SECTIONS = {
    "citizens": "Người dân được phục vụ",
    "questions": "Câu hỏi",
    "ratings": "Mức độ hài lòng",
    "tickets": "Phản ánh, kiến nghị",
    "handoffs": "Chuyển cán bộ hỗ trợ",
    "campaigns": "Chiến dịch truyền thông",
    "comparison": "So sánh với kỳ trước",
}
FIGURES = {
    "citizens.distinct": "Số người dân nhắn tin (không trùng)",
    "citizens.messages": "Số tin nhắn nhận được",
    "followers.new": "Người quan tâm mới",
    "followers.unfollowed": "Người bỏ quan tâm",
    "followers.net": "Tăng ròng người quan tâm",
    "answers.sent": "Tin trả lời đã gửi",
    "answers.received": "Tin trả lời đã nhận",
    "answers.seen": "Tin trả lời đã xem",
    "questions.received": "Câu hỏi tiếp nhận",
    "questions.answered": "Đã trả lời",
    "questions.suggested": "Gợi ý câu hỏi",
    "questions.fallback": "Chưa có câu trả lời",
    "ratings.useful": "Hữu ích",
    "ratings.not_useful": "Chưa đúng",
    "tickets.received": "Phản ánh tiếp nhận",
    "tickets.resolved": "Đã xử lý xong",
    "tickets.resolved_on_time": "Xử lý đúng hạn",
    "tickets.median_hours_to_resolve": "Thời gian xử lý (trung vị, giờ)",
    "tickets.still_open": "Còn đang xử lý cuối kỳ",
    "handoffs.count": "Lượt chuyển cán bộ",
    "handoffs.answered_by_staff": "Được cán bộ trả lời",
    "handoffs.median_wait_minutes": "Thời gian chờ cán bộ (trung vị, phút)",
}
SURVEY_KINDS = {"ticket": "Sau khi giải quyết phản ánh", "handoff": "Sau khi cán bộ hỗ trợ"}
CAMPAIGN_COLUMNS = (("id", "Mã chiến dịch"), ("title", "Tên chiến dịch"), ("recipients", "Người nhận"),
                    ("delivered", "Đã gửi"), ("received", "Đã nhận"), ("seen", "Đã xem"), ("replied", "Đã trả lời"),
                    ("clicked", "Đã bấm nút"))


def figure(report: dict[str, Any], dotted: str) -> Any:
    value: Any = report
    for part in dotted.split("."):
        value = value[part]
    return value


def overview(report: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) for the headline figures, in reading order."""
    return [(label, figure(report, key)) for key, label in FIGURES.items()]


def period_title(report: dict[str, Any]) -> str:
    period = report["period"]
    return f"Báo cáo kết quả hoạt động Zalo OA — {period_name(period)}"


def period_name(period: dict[str, Any]) -> str:
    """As officers write it: "tháng 12/2026", "quý IV/2026", "năm 2026", "từ 01/10/2026 đến 15/10/2026"."""
    label, kind = period["label"], period["kind"]
    if kind == "month":
        year, month = label.split("-")
        return f"Tháng {int(month)}/{year}"
    if kind == "quarter":
        year, quarter = label.split("-Q")
        return f"Quý {'I II III IV'.split()[int(quarter) - 1]}/{year}"
    if kind == "year":
        return f"Năm {label}"
    first, last = label.split("..")
    return f"Từ {local_date(first)} đến {local_date(last)}"


def local_date(iso_day: str) -> str:
    year, month, day = iso_day.split("-")
    return f"{day}/{month}/{year}"
