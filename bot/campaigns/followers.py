"""Import the OA's existing followers (Zalo's user list API, 50 per page) into `users`.

An OA that had followers before the bot was installed can only reach them once they are known
here. Only when the whole list was read (no error or timeout, the end reached, as many people as
Zalo's count) are citizens we still mark as following but Zalo no longer lists marked
unfollowed, so no campaign messages them; a listing cut short imports what it read and changes
nobody else, since marking someone unfollowed silently removes them from every campaign. Zalo
pages by offset up to about 10,000 (reference §8); a larger OA is imported up to that point and
the sync says so. Without Zalo (sandbox) there is nothing to read and nothing changes.
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

from bot.campaigns.ratelimit import Pacer
from bot.clock import iso, utc_now
from bot.conversations import citizens
from bot.storage import Storage
from bot.zalo.errors import ZaloError

log = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_OFFSET = 9950  # Zalo refuses larger offsets (reference §8, unconfirmed exact limit)


@dataclass(frozen=True)
class SyncResult:
    listed: int  # followers Zalo says the OA has
    imported: int  # followers read and stored
    new: int  # of which were unknown to the bot
    unfollowed: int  # marked unfollowed because a complete listing no longer has them
    complete: bool  # the whole list was read: only then may anyone be marked unfollowed
    stopped_by: str | None = None  # why the listing was cut short: offset_limit | zalo_error | empty_listing | sandbox
    error: str = ""  # the Zalo error that cut it short, for the officer
    details_read: int = 0  # profiles read with `details`


def sync_followers(storage: Storage, zalo: Any, *, details: bool = False, pacer: Pacer | None = None,
                   tz: ZoneInfo | None = None, progress: Callable[[int, int], None] | None = None) -> SyncResult:
    """Import what Zalo lists. Marking the unlisted as unfollowed needs positive proof that the list
    was read to its end: a sandbox (no Zalo), an error or timeout, the offset limit, or a listing
    without a follower count change nobody's follow status."""
    if getattr(zalo, "sandbox", False):
        return SyncResult(0, 0, 0, 0, False, "sandbox")
    seen: list[str] = []
    total: int | None = None
    offset = 0
    stopped_by: str | None = None
    error = ""
    reached_end = False
    while True:
        if offset > MAX_OFFSET:
            stopped_by = "offset_limit"
            break
        try:
            page = zalo.list_followers(offset, PAGE_SIZE)
        except ZaloError as exc:
            stopped_by, error = "zalo_error", str(exc)
            break
        reported = str(page.get("total", ""))
        total = int(reported) if reported.isdigit() else None
        ids = [str(u["user_id"]) for u in page.get("users") or [] if u.get("user_id")]
        seen.extend(ids)
        offset += PAGE_SIZE
        if progress:
            progress(len(seen), total or 0)
        if total is None:
            stopped_by = "no_total"
            break
        if not ids or offset >= total:
            reached_end = True
            break
    distinct = set(seen)
    if reached_end and total == 0:
        stopped_by = "empty_listing"  # an OA using the bot has followers: an empty list proves nothing
    complete = reached_end and stopped_by is None and total is not None and len(distinct) >= total
    if reached_end and not complete and stopped_by is None:
        stopped_by = "listing_changed"
    new = _store(storage, seen)
    unfollowed = _mark_unfollowed(storage, seen) if complete else 0
    if not complete:
        log.warning("followers sync: listing cut short (%s); read %d of %s followers, nobody marked unfollowed",
                    stopped_by, len(distinct), total if total is not None else "?")
    details_read = 0
    if details:
        details_read, detail_error = _details(storage, zalo, list(distinct), pacer or Pacer(10),
                                              tz or ZoneInfo("Asia/Ho_Chi_Minh"))
        error = error or detail_error
    return SyncResult(total or 0, len(distinct), new, unfollowed, complete, stopped_by, error, details_read)


def _store(storage: Storage, user_ids: list[str]) -> int:
    return citizens.add_followers(storage, user_ids, utc_now())


def _mark_unfollowed(storage: Storage, user_ids: list[str]) -> int:
    return citizens.unfollow_all_but(storage, user_ids, utc_now())


def _details(storage: Storage, zalo: Any, user_ids: list[str], pacer: Pacer, tz: ZoneInfo) -> tuple[int, str]:
    """Profiles read before an error stopped the loop, and that error ("" when none)."""
    never = threading.Event()
    read = 0
    for uid in user_ids:
        pacer.wait(never)
        try:
            detail = zalo.user_detail(uid)
        except ZaloError as exc:
            return read, str(exc)
        read += 1
        last = _day_start(detail.get("user_last_interaction_date"), tz)
        citizens.update_profile(storage, uid, detail.get("display_name") or None, last)
    return read, ""


def _day_start(text: Any, tz: ZoneInfo) -> str | None:
    try:
        return iso(datetime.strptime(str(text), "%d/%m/%Y").replace(tzinfo=tz))
    except ValueError:
        return None
