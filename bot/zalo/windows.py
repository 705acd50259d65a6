"""Zalo's messaging windows (reference §7), defined once for staff replies and campaigns: a
consultation (CS) message reaches only a citizen who interacted in the last 7 days; inside the
first 48 hours it is free, after that billed but not blocked. Outside the window Zalo answers
-230 or -232."""

from __future__ import annotations

from datetime import timedelta

from bot.zalo.errors import UNREACHABLE_REASONS

CS_WINDOW = timedelta(days=7)
FREE_WINDOW = timedelta(hours=48)
OUTSIDE_WINDOW_ERRORS = tuple(code for code, reason in UNREACHABLE_REASONS.items() if reason == "outside_7_day_window")
