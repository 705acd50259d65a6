"""Who a run is for, and who of them must be skipped and why, decided in SQL.

The same skip rules apply when a run starts (rows are written for everyone, skipped ones with a
reason) and again just before each send (a citizen may unfollow or ask for deletion while a run
waits out the quiet hours). Unknown, unfollowed and do-not-contact citizens are never messaged;
consultation messages also need an interaction within Zalo's 7-day window (reference §7).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.campaigns.model import Audience
from bot.clock import iso
from bot.zalo.windows import CS_WINDOW, FREE_WINDOW

_SOURCES = {
    "all_followers": "SELECT user_id FROM users WHERE followed = 1",
    "topic": "SELECT DISTINCT user_id FROM subscriptions WHERE topic IN (SELECT value FROM json_each(:values))",
    "tag": "SELECT DISTINCT user_id FROM user_tags WHERE tag IN (SELECT value FROM json_each(:values))",
    "users": "SELECT DISTINCT value AS user_id FROM json_each(:values)",
}


def skip_reason(channel: str, users: str = "u") -> str:
    """SQL expression: why this citizen must not get the message now, or NULL when they may."""
    window = (f" WHEN {users}.last_interaction_at IS NULL OR {users}.last_interaction_at < :cs_window"
              " THEN 'outside_7_day_window'") if channel == "consultation" else ""
    return (f"CASE WHEN {users}.user_id IS NULL THEN 'unknown_user'"
            f" WHEN {users}.followed = 0 THEN 'not_follower'"
            f" WHEN {users}.do_not_contact = 1 THEN 'do_not_contact'{window} END")


def params(audience: Audience, now: datetime, **extra: Any) -> dict[str, Any]:
    return {"values": json.dumps(list(audience.values)), "cs_window": iso(now - CS_WINDOW),
            "free_window": iso(now - FREE_WINDOW), **extra}


def decided(audience: Audience, channel: str) -> str:
    """SELECT of the audience with each member's skip reason (NULL: send) and free-window flag."""
    return (f"SELECT a.user_id AS user_id, {skip_reason(channel)} AS reason,"
            " coalesce(u.last_interaction_at >= :free_window, 0) AS free"
            f" FROM ({_SOURCES[audience.kind]}) a LEFT JOIN users u ON u.user_id = a.user_id")


def preview(db: Any, audience: Audience, channel: str, now: datetime, limit: int) -> dict[str, Any]:
    """For --dry-run: counts by decision and the first `limit` citizens with their decision."""
    members = decided(audience, channel)
    values = params(audience, now)
    counts = dict(db.execute(f"SELECT coalesce(reason, 'send'), count(*) FROM ({members}) GROUP BY 1", values).fetchall())
    free = db.execute(f"SELECT count(*) FROM ({members}) WHERE reason IS NULL AND free", values).fetchone()[0]
    rows = db.execute(
        f"SELECT d.user_id, coalesce(d.reason, 'send'), u.display_name FROM ({members}) d"
        " LEFT JOIN users u ON u.user_id = d.user_id ORDER BY d.reason IS NOT NULL, d.user_id LIMIT :limit",
        dict(values, limit=limit)).fetchall()
    return {"counts": counts, "free_48h": free,
            "sample": [{"user_id": r[0], "decision": r[1], "display_name": r[2] or ""} for r in rows]}


def erase_tags(db: Any, user_id: str) -> int:
    return db.execute("DELETE FROM user_tags WHERE user_id = ?", [user_id]).rowcount
