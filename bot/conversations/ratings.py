"""The answers the bot gave and the citizens' ratings of them ("Hữu ích / Chưa đúng").

A rating button carries only the answer's id; the log row tells which question got which entry,
so a "Chưa đúng" can be filed with the entry it wrongly got. Log rows are personal data and are
purged after the retention period (bot/conversations/retention.py); ratings then keep only entry and verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import iso
from bot.storage import Storage

VERDICTS = ("helpful", "wrong")


@dataclass(frozen=True)
class LoggedAnswer:
    id: int
    question: str
    entry_id: str
    score: float
    created_at: str = ""


def log_answer(storage: Storage, user_id: str, question: str, entry_id: str, score: float, now: datetime,
               *, chosen: bool = False) -> int:
    """An answer given, so a rating knows its question. `chosen`: the citizen tapped the entry among
    choices the bot offered, so it answers a question already counted (reports count it apart)."""
    with storage.connect() as db:
        row_id = db.execute(
            "INSERT INTO answer_log (user_id, question, entry_id, score, created_at, chosen) VALUES (?, ?, ?, ?, ?, ?)",
            [user_id, question, entry_id, score, iso(now), int(chosen)]).lastrowid
    assert row_id is not None, "an INSERT into a rowid table always sets lastrowid"
    return row_id


def rate(storage: Storage, answer_id: int, user_id: str, verdict: str, now: datetime) -> tuple[LoggedAnswer, bool] | None:
    """Store (or change) the citizen's verdict on one of their answers.

    Returns the answer and whether the verdict is new, or None when the answer is not theirs or
    was purged. A repeated click changes nothing and reports "not new".
    """
    with storage.transaction() as db:
        row = db.execute("SELECT id, question, entry_id, score FROM answer_log WHERE id = ? AND user_id = ?",
                         [answer_id, user_id]).fetchone()
        if row is None:
            return None
        previous = db.execute("SELECT verdict FROM ratings WHERE answer_id = ?", [answer_id]).fetchone()
        db.execute(
            "INSERT INTO ratings (answer_id, user_id, entry_id, question, verdict, created_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (answer_id) DO UPDATE SET verdict = excluded.verdict, created_at = excluded.created_at",
            [answer_id, user_id, row[2], row[1], verdict, iso(now)])
    return LoggedAnswer(*row), previous is None or previous[0] != verdict



def latest(storage: Storage, user_id: str, since: datetime) -> LoggedAnswer | None:
    """The citizen's most recent answer logged at or after `since`: what a typed "sai rồi" rates."""
    with storage.connect() as db:
        row = db.execute("SELECT id, question, entry_id, score, created_at FROM answer_log"
                         " WHERE user_id = ? AND created_at >= ?"
                         " ORDER BY id DESC LIMIT 1", [user_id, iso(since)]).fetchone()
    return LoggedAnswer(*row) if row else None


def report_facts(db: Any, start: str, end: str, shift: str) -> list[tuple[str, str, str, int]]:
    """Per local day and entry: answers given, and "Hữu ích" / "Chưa đúng" ratings (by the time of
    the rating). For bot/reports/rollup.py, which keeps them past the answer log's purge."""
    day = "strftime('%Y-%m-%d', created_at, ?)"
    answered = db.execute(f"SELECT {day}, CASE chosen WHEN 1 THEN 'questions.chosen' ELSE 'questions.answered' END,"
                          " entry_id, count(*) FROM answer_log WHERE created_at >= ? AND created_at < ? GROUP BY 1, 2, 3",
                          [shift, start, end]).fetchall()
    rated = db.execute(f"SELECT {day}, CASE verdict WHEN 'helpful' THEN 'ratings.useful' ELSE 'ratings.not_useful' END,"
                       " entry_id, count(*) FROM ratings WHERE created_at >= ? AND created_at < ? GROUP BY 1, 2, 3",
                       [shift, start, end]).fetchall()
    return [tuple(row) for row in (*answered, *rated)]


def answered_per_day(storage: Storage, since: str, offset_minutes: int) -> dict[str, int]:
    """Questions answered outright since `since`, per local day: the dashboard."""
    with storage.connect() as db:
        return dict(db.execute("SELECT date(created_at, ? || ' minutes'), count(*) FROM answer_log"
                               " WHERE created_at >= ? AND chosen = 0 GROUP BY 1", [str(offset_minutes), since]).fetchall())


def rating_counts(storage: Storage, since: str) -> dict[str, int]:
    """Ratings by verdict (helpful, wrong) since `since`."""
    with storage.connect() as db:
        return dict(db.execute("SELECT verdict, count(*) FROM ratings WHERE created_at >= ? GROUP BY 1",
                               [since]).fetchall())


def erase_answers(db: Any, user_id: str) -> int:
    return db.execute("DELETE FROM answer_log WHERE user_id = ?", [user_id]).rowcount


def erase_ratings(db: Any, user_id: str) -> int:
    return db.execute("DELETE FROM ratings WHERE user_id = ?", [user_id]).rowcount


def purge_answers(db: Any, cutoff: str) -> int:
    return db.execute("DELETE FROM answer_log WHERE created_at < ?", [cutoff]).rowcount


def purge_ratings(db: Any, cutoff: str) -> int:
    """Ratings older than `cutoff` lose their citizen and question; the verdict stays, for statistics."""
    return db.execute("UPDATE ratings SET user_id = NULL, question = NULL WHERE created_at < ? AND user_id IS NOT NULL",
                      [cutoff]).rowcount
