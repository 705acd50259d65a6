"""Timestamps as stored: UTC ISO 8601 with milliseconds, so text order is time order in SQL."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def utc_now() -> datetime:
    return datetime.now(UTC)
