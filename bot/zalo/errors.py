"""Zalo error codes (reference §5) classified into what the caller should do about them."""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    TRANSIENT = "transient"      # back off and retry (bounded)
    RATE_LIMIT = "rate_limit"    # -32: slow everything down, retry
    AUTH = "auth"                # token invalid/expired: refresh once, retry once
    UNREACHABLE = "unreachable"  # this recipient cannot get this message: record, never retry
    NIGHT = "night"              # -234: reschedule after 06:00
    QUOTA = "quota"              # out of quota: defer
    CONTENT = "content"          # our request is wrong or refused: a bug or content review, stop
    CONFIG = "config"            # OA/app setup or billing: alert an admin, stop
    PENDING = "pending"          # -214 article still processing: poll
    AMBIGUOUS = "ambiguous"      # timed out after sending: Zalo may or may not have delivered


CODES: dict[int, ErrorKind] = {
    -32: ErrorKind.RATE_LIMIT,
    -200: ErrorKind.TRANSIENT,
    -216: ErrorKind.AUTH,
    -220: ErrorKind.AUTH,
    -213: ErrorKind.UNREACHABLE,
    -217: ErrorKind.UNREACHABLE,
    -218: ErrorKind.UNREACHABLE,
    -227: ErrorKind.UNREACHABLE,
    -230: ErrorKind.UNREACHABLE,
    -232: ErrorKind.UNREACHABLE,
    -244: ErrorKind.UNREACHABLE,
    -234: ErrorKind.NIGHT,
    -211: ErrorKind.QUOTA,
    -214: ErrorKind.PENDING,
    -100: ErrorKind.CONTENT,
    -201: ErrorKind.CONTENT,
    -210: ErrorKind.CONTENT,
    -233: ErrorKind.CONTENT,
    -240: ErrorKind.CONTENT,
    -248: ErrorKind.CONTENT,
    -202: ErrorKind.CONFIG,
    -204: ErrorKind.CONFIG,
    -205: ErrorKind.CONFIG,
    -209: ErrorKind.CONFIG,
    -212: ErrorKind.CONFIG,
    -219: ErrorKind.CONFIG,
    -221: ErrorKind.CONFIG,
    -223: ErrorKind.CONFIG,
    -224: ErrorKind.CONFIG,
    -235: ErrorKind.CONFIG,
    -242: ErrorKind.CONFIG,
    -320: ErrorKind.CONFIG,
    -321: ErrorKind.CONFIG,
}

# Codes meaning "this user cannot be reached now", with the reason recorded in delivery reports.
UNREACHABLE_REASONS: dict[int, str] = {
    -213: "not_follower",
    -217: "blocked_invitation",
    -218: "receive_quota_exhausted",
    -227: "banned_or_inactive",
    -230: "outside_7_day_window",
    -232: "outside_7_day_window",
    -244: "restricted_message_type",
}


class ZaloError(Exception):
    """A failed Zalo call. `code` is Zalo's error code, or 0 for HTTP/network failures."""

    def __init__(self, code: int, message: str, kind: ErrorKind | None = None):
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code
        self.message = message
        self.kind = kind or classify(code)

    @property
    def reason(self) -> str:
        return UNREACHABLE_REASONS.get(self.code, f"zalo_{self.code}" if self.code else "network")


def classify(code: int) -> ErrorKind:
    """Unknown codes are treated as content errors: retrying a request Zalo does not understand
    would be retrying forever."""
    return CODES.get(code, ErrorKind.CONTENT)
