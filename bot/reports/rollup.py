"""Daily counts that outlive the retention purge (docs/privacy.md, docs/reports.md).

The purge deletes citizens' messages after 30 days, the answer log after its retention and closed
handoffs soon after; a quarter must still be reportable afterwards. So, before each purge (and
before each report), every local day that has ended and is not yet rolled up is counted once,
from the owners' `report_facts` functions, into `report_daily` (day, metric, key, n), plus
`report_people` (day, users row number) to count distinct people over any range of days. Neither
holds a Zalo id or a message. A day, once rolled up, never changes: a closed period reports the
same figures every time, before and after the purge. Today is counted live, the same way.

Owner of `report_daily`, `report_people` and `report_state`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot import inbox
from bot.clock import iso
from bot.conversations import handoffs, ratings
from bot.knowledge import unanswered
from bot.reports.period import local_today, utc_offset_modifier
from bot.storage import Storage, executemany

Fact = tuple[str, str, str, int]  # day, metric, key, count
SOURCES: tuple[Callable[[Any, str, str, str], list[Fact]], ...] = (
    inbox.report_facts, ratings.report_facts, unanswered.report_facts, handoffs.report_facts)
WATERMARK = "rolled_until"  # the first local day not rolled up yet


def rollup(storage: Storage, tz: ZoneInfo, now: datetime) -> int:
    """Count every ended day not yet counted; returns how many days that covered.

    The counting is a read (a WAL snapshot, no lock): the webhook keeps storing events meanwhile,
    which only matters for today, not counted yet. Only the writing of the counts takes the write
    lock, and it writes nothing if another process rolled the same days up in between."""
    today = local_today(tz, now)
    with storage.connect() as db:
        first = _watermark(db)
    if first is not None and first >= today:
        return 0
    start = iso(datetime.combine(first, time(), tz)) if first else ""
    end = iso(datetime.combine(today, time(), tz))
    shift = utc_offset_modifier(tz, today)
    with storage.snapshot() as db:  # one snapshot for every count
        facts = [fact for source in SOURCES for fact in source(db, start, end, shift)]
        people = inbox.report_people(db, start, end, shift)
    with storage.transaction() as db:
        if _watermark(db) != first:
            return 0
        executemany(db, "INSERT OR REPLACE INTO report_daily (day, metric, key, n) VALUES (?, ?, ?, ?)", facts)
        executemany(db, "INSERT OR IGNORE INTO report_people (day, person) VALUES (?, ?)", people)
        db.execute("INSERT OR REPLACE INTO report_state (name, value) VALUES (?, ?)", [WATERMARK, today.isoformat()])
    return (today - first).days if first else len({fact[0] for fact in facts})


def counts(storage: Storage, tz: ZoneInfo, first: date, end: date) -> tuple[Counter[tuple[str, str]], int]:
    """(metric, key) → count over local days [first, end), and the number of distinct people served:
    rolled-up days from the tables, the days after the watermark counted live."""
    totals: Counter[tuple[str, str]] = Counter()
    with storage.connect() as db:
        watermark = _watermark(db) or first
        rolled_end = min(end, max(first, watermark))
        for metric, key, n in db.execute("SELECT metric, key, sum(n) FROM report_daily WHERE day >= ? AND day < ?"
                                         " GROUP BY 1, 2", [first.isoformat(), rolled_end.isoformat()]):
            totals[(metric, key)] += n
        if rolled_end >= end:
            people = db.execute("SELECT count(DISTINCT person) FROM report_people WHERE day >= ? AND day < ?",
                                [first.isoformat(), end.isoformat()]).fetchone()[0]
            return totals, people
        live_start = max(first, rolled_end)
        start, stop = iso(datetime.combine(live_start, time(), tz)), iso(datetime.combine(end, time(), tz))
        shift = utc_offset_modifier(tz, live_start)
        for source in SOURCES:
            for _day, metric, key, n in source(db, start, stop, shift):
                totals[(metric, key)] += n
        persons = {row[0] for row in db.execute("SELECT person FROM report_people WHERE day >= ? AND day < ?",
                                                [first.isoformat(), rolled_end.isoformat()])}
        persons.update(person for _day, person in inbox.report_people(db, start, stop, shift))
    return totals, len(persons)


def forget_person(db: Any, person: int) -> None:
    """Inside a deletion's transaction: the citizen's counted days keep counting them as one person,
    under a number no `users` row will get (SQLite gives a deleted last row's number to the next new
    citizen, who would otherwise inherit those days and be merged with them)."""
    (lowest,) = db.execute("SELECT min(min(person), 0) FROM report_people").fetchone()
    db.execute("UPDATE report_people SET person = ? WHERE person = ?", [(lowest or 0) - 1, person])


def _watermark(db: Any) -> date | None:
    row = db.execute("SELECT value FROM report_state WHERE name = ?", [WATERMARK]).fetchone()
    return date.fromisoformat(row[0]) if row else None
