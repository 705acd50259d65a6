"""Timestamps as stored: UTC ISO 8601 with milliseconds, so text order is time order in SQL."""

from __future__ import annotations

from datetime import datetime, timezone


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
