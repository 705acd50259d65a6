"""Import the OA's existing followers (Zalo's user list API, 50 per page) into `users`.

An OA that had followers before the bot was installed can only reach them once they are known
here. When the whole list was read, citizens we still marked as following but Zalo no longer
lists are marked unfollowed, so no campaign messages them. Zalo pages by offset up to about
10,000 (reference §8); a larger OA is imported up to that point and the sync says so.
With `details`, each follower's profile gives a display name and the date of their last
interaction, stored as the start of that day so the 7-day window is never overestimated.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import personal_data
from bot.campaigns.ratelimit import Pacer
from bot.clock import iso, utc_now
from bot.storage import Storage

log = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_OFFSET = 9950  # Zalo refuses larger offsets (reference §8, unconfirmed exact limit)


@dataclass(frozen=True)
class SyncResult:
    listed: int  # followers Zalo says the OA has
    imported: int  # followers read and stored
    new: int  # of which were unknown to the bot
    unfollowed: int  # marked unfollowed because Zalo no longer lists them
    complete: bool


def sync_followers(storage: Storage, zalo: Any, *, details: bool = False, pacer: Pacer | None = None,
                   tz: ZoneInfo | None = None, progress: Callable[[int, int], None] | None = None) -> SyncResult:
    seen: list[str] = []
    total = 0
    offset = 0
    while offset <= MAX_OFFSET:
        page = zalo.list_followers(offset, PAGE_SIZE)
        total = int(page.get("total") or 0)
        ids = [str(u["user_id"]) for u in page.get("users") or [] if u.get("user_id")]
        seen.extend(ids)
        offset += PAGE_SIZE
        if progress:
            progress(len(seen), total)
        if not ids or offset >= total:
            break
    new = _store(storage, seen)
    complete = len(set(seen)) >= total
    unfollowed = _mark_unfollowed(storage, seen) if complete else 0
    if not complete:
        log.warning("followers sync: Zalo listed %d of %d followers (offset limit); the rest are not imported",
                    len(seen), total)
    if details:
        _details(storage, zalo, seen, pacer or Pacer(10), tz or ZoneInfo("Asia/Ho_Chi_Minh"))
    return SyncResult(total, len(set(seen)), new, unfollowed, complete)


def _store(storage: Storage, user_ids: list[str]) -> int:
    now = iso(utc_now())
    with storage.transaction() as db:
        before = db.execute("SELECT count(*) FROM users").fetchone()[0]
        db.conn.executemany(
            "INSERT INTO users (user_id, followed, followed_at) VALUES (?, 1, ?) ON CONFLICT (user_id)"
            " DO UPDATE SET followed = 1, followed_at = coalesce(followed_at, excluded.followed_at)",
            [(uid, now) for uid in user_ids])
        personal_data.mark_if_forgotten(db, user_ids)  # a citizen who had their data deleted stays out
        return db.execute("SELECT count(*) FROM users").fetchone()[0] - before


def _mark_unfollowed(storage: Storage, user_ids: list[str]) -> int:
    now = iso(utc_now())
    with storage.transaction() as db:
        db.execute("CREATE TEMP TABLE listed (user_id TEXT PRIMARY KEY)")
        db.conn.executemany("INSERT OR IGNORE INTO listed VALUES (?)", [(uid,) for uid in user_ids])
        count = db.execute("UPDATE users SET followed = 0, unfollowed_at = ? WHERE followed = 1"
                           " AND user_id NOT IN (SELECT user_id FROM listed)", [now]).rowcount
        db.execute("DROP TABLE listed")
    return count


def _details(storage: Storage, zalo: Any, user_ids: list[str], pacer: Pacer, tz: ZoneInfo) -> None:
    never = threading.Event()
    for uid in user_ids:
        pacer.wait(never)
        detail = zalo.user_detail(uid)
        last = _day_start(detail.get("user_last_interaction_date"), tz)
        with storage.connect() as db:
            db.execute("UPDATE users SET display_name = coalesce(?, display_name),"
                       " last_interaction_at = CASE WHEN ? > coalesce(last_interaction_at, '') THEN ?"
                       " ELSE last_interaction_at END WHERE user_id = ?",
                       [detail.get("display_name") or None, last, last, uid])


def _day_start(text: Any, tz: ZoneInfo) -> str | None:
    try:
        return iso(datetime.strptime(str(text), "%d/%m/%Y").replace(tzinfo=tz))
    except ValueError:
        return None
