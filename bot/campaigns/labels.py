"""Vietnamese words for the codes campaigns store: statuses and reasons, in one place.

The database, the admin API's machine-readable fields and CSV keep the codes (`paused`,
`quiet_hours`); every sentence an officer reads says them in Vietnamese through `status()` and
`reason()`, so a new code needs one line here and never shows up as English inside Vietnamese.
"""

from __future__ import annotations

# Campaign, run and delivery statuses (one word may name a status of several of them).
STATUSES: dict[str, str] = {
    "draft": "bản nháp",
    "scheduled": "đã lên lịch",
    "running": "đang gửi",
    "paused": "tạm dừng",
    "done": "đã gửi xong",
    "cancelled": "đã hủy",
    "failed": "dừng vì lỗi",
    "missed": "bị bỏ lỡ",
    "pending": "chờ gửi",
    "sending": "đang gửi",
    "waiting": "chờ hết giờ không gửi",
    "sent": "đã gửi",
    "sandbox": "chế độ thử (không gửi thật)",
    "skipped": "bỏ qua",
    "ambiguous": "không rõ đã tới chưa",
    "resumed": "tiếp tục",
    "added": "đã thêm",
    "updated": "đã cập nhật",
    "unchanged": "không đổi",
    "run_created": "tạo lượt gửi",
    "run_resumed": "lượt gửi tiếp tục",
    "run_done": "lượt gửi xong",
    "run_failed": "lượt gửi dừng vì lỗi",
    "run_paused": "lượt gửi tạm dừng",
    "run_cancelled": "lượt gửi bị hủy",
    "run_waiting": "lượt gửi chờ",
    "run_pending": "lượt gửi bị ngắt, chờ gửi tiếp",
    "send_now": "gửi ngay",
    "send_again": "gửi lại",
    # what created a run
    "schedule": "theo lịch",
    "late": "theo lịch, trễ",
    "manual": "gửi ngay",
}

# Why a citizen was skipped, a run stopped or waited, a run was missed, a follower sync stopped.
REASONS: dict[str, str] = {
    "send": "sẽ gửi",
    "not_follower": "không (còn) quan tâm OA",
    "do_not_contact": "đã yêu cầu xóa dữ liệu, không liên hệ",
    "unknown_user": "mã người dùng chưa từng gặp",
    "outside_7_day_window": "quá 7 ngày không tương tác",
    "receive_quota_exhausted": "hết lượt nhận tin",
    "banned_or_inactive": "tài khoản bị khóa hoặc không hoạt động",
    "restricted_message_type": "không nhận loại tin này",
    "blocked_invitation": "đã chặn tin từ OA",
    "cancelled": "chiến dịch bị hủy",
    "officer": "do cán bộ",
    "quiet_hours": "giờ không gửi tin",
    "zalo_night_rule": "giờ cấm gửi ban đêm của Zalo (22:00–06:00)",
    "out_of_quota": "hết hạn mức gửi của OA",
    "article_processing": "Zalo đang duyệt bài viết",
    "internal_error": "lỗi bên trong bot",
    "lease_lost": "tiến trình khác tiếp nhận",
    "shutdown": "dịch vụ dừng",
    "network": "lỗi mạng",
    "timeout_after_sending": "hết thời gian chờ sau khi gửi",
    "process_stopped_while_sending": "tiến trình dừng giữa lúc gửi",
    "check_failed": "không đọc được hội thoại để kiểm tra",
    "check_unsupported": "kênh này không kiểm tra được",
    "found_in_conversation": "đã thấy trong hội thoại",
    "absent_resent": "không thấy trong hội thoại nên gửi lại",
    "ambiguous_resent": "gửi lại sau khi không rõ",
    "beyond_grace": "trễ quá thời gian cho phép",
    "superseded_by_later_run": "đã có lượt sau thay thế",
    "campaign_paused": "chiến dịch đang tạm dừng",
    "campaign_failed": "chiến dịch đang dừng vì lỗi",
    "previous_run_unfinished": "lượt trước chưa gửi xong",
    "sandbox": "chế độ thử, chưa kết nối Zalo",
    "offset_limit": "Zalo chỉ cho đọc khoảng 10.000 người đầu danh sách",
    "zalo_error": "Zalo báo lỗi hoặc không trả lời",
    "no_total": "Zalo không cho biết tổng số người quan tâm",
    "empty_listing": "Zalo trả về danh sách rỗng",
    "listing_changed": "danh sách thay đổi trong lúc đọc",
}


def status(code: str | None) -> str:
    """The Vietnamese word for a status code (the code itself if it is new, never an empty string)."""
    return STATUSES.get(code or "", code or "—")


def reason(code: str | None) -> str:
    """The Vietnamese words for a reason code; Zalo error codes read "lỗi Zalo -201"."""
    if not code:
        return ""
    if code in REASONS:
        return REASONS[code]
    if code.startswith("zalo_"):
        return "lỗi Zalo " + code.removeprefix("zalo_")
    head, sep, rest = code.partition(": ")  # "zalo_-201: message" from a failed run
    if sep and head.startswith("zalo_"):
        return f"lỗi Zalo {head.removeprefix('zalo_')}: {rest}"
    return code
