"""Questions the bot could not answer outright, turned into a to-do list for the staff who write
the knowledge base.

`record` stores a fallback or suggest-tier question (and, from the rating flow, an answer a
citizen marked wrong) with the matcher's best candidates. No Zalo id is stored: only a keyed
hash to count how many people asked, and long digit runs (phone, ID numbers) and e-mail
addresses in the text are masked. `group` clusters the log by the matcher's own normalisation,
then merges near-identical forms, and re-asks the *current* matcher about each group, so a
question answered by content added since is marked as such. Answers citizens marked wrong are
grouped apart (`wrong=True`): a wrong answer is worse than none, so they stay on the list even
when the bot "now answers" them. Each group has a stable `id` (a short hash of the question staff
would add), so `--apply --group ID` writes exactly the text the staff member saw.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz, process

from bot.clock import iso, utc_now
from bot.kb_model import Entry
from bot.knowledge.entries import EntrySource
from bot.knowledge.yamlnodes import yaml_scalar
from bot.matcher import Match, Matcher
from bot.matcher.normalize import normalize
from bot.storage import Storage

REASONS = ("fallback", "suggest", "rated_wrong")
SIMILAR = 90  # rapidfuzz token_sort_ratio at which two normalised questions are one group
_NUMBER = re.compile(r"\+?\d(?:[ .-]?\d){6,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def redact(question: str) -> str:
    """The question without phone/ID numbers and e-mail addresses, which staff do not need."""
    return _NUMBER.sub("[số]", _EMAIL.sub("[email]", question)).strip()


def record(storage: Storage, question: str, match: Match, reason: str, *,
           abbreviations: Mapping[str, str] | None = None, asker: str = "", now: datetime | None = None) -> bool:
    """Log one question; False when there is nothing to learn from it (emoji, punctuation only)."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    text = redact(question)
    normalized = " ".join(normalize(text, abbreviations))
    if not normalized:
        return False
    best_id, best_score = (match.candidates[0][0].id, match.candidates[0][1]) if match.candidates else (None, 0.0)
    candidates = json.dumps([[entry.id, score] for entry, score in match.candidates])
    with storage.connect() as db:
        db.execute("INSERT INTO unanswered (asked_at, question, normalized, asker, tier, best_entry_id, best_score,"
                   " candidates, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [iso(now or utc_now()), text, normalized, asker, match.tier, best_id, best_score, candidates, reason])
    return True


def asked_since(storage: Storage, asker: str, since: str) -> bool:
    """Whether this asker (hashed id) asked a question the bot could not answer after `since`
    (stored timestamp format): the bot's last reply to them was then not an answer."""
    with storage.connect() as db:
        return db.execute("SELECT 1 FROM unanswered WHERE asker = ? AND asked_at > ? AND reason != 'rated_wrong' LIMIT 1",
                          [asker, since]).fetchone() is not None


def last_question(storage: Storage, asker: str, since: str) -> str | None:
    """The asker's (hashed id) latest question the bot met with choices or its fallback after
    `since`: the words a tapped choice answers, so a "Chưa đúng" on it shows what was asked."""
    with storage.connect() as db:
        row = db.execute("SELECT question FROM unanswered WHERE asker = ? AND asked_at > ? AND reason IN ('suggest', 'fallback')"
                         " ORDER BY asked_at DESC, id DESC LIMIT 1", [asker, since]).fetchone()
    return row[0] if row else None


@dataclass
class Group:
    """Questions that normalise to (nearly) the same text, with what the bot would do now."""

    key: str
    asked: Counter[str] = field(default_factory=Counter)  # text as asked -> times
    askers: set[str] = field(default_factory=set)
    reasons: Counter[str] = field(default_factory=Counter)
    given: Counter[str] = field(default_factory=Counter)  # rated wrong: entry id the bot answered with -> times
    last_asked: str = ""
    nearest: Entry | None = None  # the current matcher's best entry
    score: float = 0.0
    tier: str = "fallback"  # the current matcher's decision for `question`

    @property
    def count(self) -> int:
        return sum(self.asked.values())

    @property
    def question(self) -> str:
        """The most frequent wording (the shortest among equals): what staff would add."""
        return min(self.asked, key=lambda text: (-self.asked[text], len(text), text))

    @property
    def id(self) -> str:
        """Stable across reports while the question stays the same (numbers shift after each apply)."""
        return group_id(self.question)

    def absorb(self, other: Group) -> None:
        self.asked.update(other.asked)
        self.askers |= other.askers
        self.reasons.update(other.reasons)
        self.given.update(other.given)
        self.last_asked = max(self.last_asked, other.last_asked)


def group_id(question: str) -> str:
    """Six hex digits of the question's hash: short to type, shown in the report."""
    return hashlib.sha256(" ".join(question.split()).encode()).hexdigest()[:6]


def group(storage: Storage, matcher: Matcher, since: str = "", *, wrong: bool = False) -> list[Group]:
    """Groups asked at or after `since` (stored timestamp format), most asked first: questions the
    bot could not answer, or with `wrong=True` answers citizens rated "Chưa đúng"."""
    with storage.connect() as db:
        rows = db.execute("SELECT question, normalized, asker, reason, asked_at, best_entry_id FROM unanswered"
                          f" WHERE asked_at >= ? AND reason {'=' if wrong else '!='} 'rated_wrong' ORDER BY asked_at",
                          [since]).fetchall()
    by_key: dict[str, Group] = {}
    for question, normalized, asker, reason, asked_at, given in rows:
        g = by_key.setdefault(normalized, Group(normalized))
        g.asked[question] += 1
        g.reasons[reason] += 1
        if wrong and given:
            g.given[given] += 1
        g.last_asked = asked_at
        if asker:
            g.askers.add(asker)
    groups = _merge_similar(sorted(by_key.values(), key=lambda g: -g.count))
    for g in groups:
        match = matcher.answer(g.question)
        g.tier = match.tier
        g.nearest, g.score = match.candidates[0] if match.candidates else (None, 0.0)
    groups.sort(key=lambda g: g.last_asked, reverse=True)
    return sorted(groups, key=lambda g: -g.count)


def _merge_similar(groups: list[Group]) -> list[Group]:
    merged: list[Group] = []
    keys: list[str] = []
    for g in groups:
        hit = process.extractOne(g.key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR) if keys else None
        if hit is None:
            merged.append(g)
            keys.append(g.key)
        else:
            merged[hit[2]].absorb(g)
    return merged


def yaml_snippet(groups: list[Group], sources: Mapping[str, EntrySource], threshold: float) -> str:
    """Suggested alternatives, grouped under the entry each group is nearest to, for staff to paste.

    A group whose nearest entry scores below `threshold` (the suggest threshold) is listed as a
    comment: it probably needs a new entry, not another phrasing of an existing one."""
    lines = ["# Gợi ý bổ sung `alternatives` từ câu hỏi bot chưa trả lời được.",
             "# Dán mỗi câu vào danh sách `alternatives:` của mục có id tương ứng,",
             "# hoặc dùng: python -m bot kb unanswered --apply ID_MỤC --group MÃ_NHÓM"]
    by_entry: dict[str, list[Group]] = {}
    orphans = []
    for g in groups:
        if g.nearest is not None and g.score >= threshold and g.nearest.id in sources:
            by_entry.setdefault(g.nearest.id, []).append(g)
        else:
            orphans.append(g)
    for entry_id, items in by_entry.items():
        source = sources[entry_id]
        lines.append(f"{entry_id}:  # {source.file}:{source.line}")
        lines.extend(f"  - {yaml_scalar(g.question)}  # nhóm {g.id}: {g.count} lượt" for g in items)
    if orphans:
        lines.append("# Chưa có mục nào đủ gần, có thể cần viết mục mới:")
        lines.extend(f"#   nhóm {g.id} ({g.count} lượt): {json.dumps(g.question, ensure_ascii=False)}" for g in orphans)
    return "\n".join(lines) + "\n"


UNANSWERED_KEY_SEPARATOR = "\x1f"  # between the grouping key and a wording, in report keys


def report_facts(db: Any, start: str, end: str, shift: str) -> list[tuple[str, str, str, int]]:
    """Per local day: questions given suggestions (by the best entry) or the fallback, and the
    fallback questions by normalised text (key: normalised form, separator, one wording as asked,
    digits and e-mails already masked) for the report's "top unanswered". Rated-wrong answers are
    counted as ratings, not here."""
    day = "strftime('%Y-%m-%d', asked_at, ?)"
    tiers = db.execute(
        f"SELECT {day}, CASE reason WHEN 'suggest' THEN 'questions.suggested' ELSE 'questions.fallback' END,"
        " CASE reason WHEN 'suggest' THEN coalesce(best_entry_id, '') ELSE '' END, count(*) FROM unanswered"
        " WHERE asked_at >= ? AND asked_at < ? AND reason IN ('suggest', 'fallback') GROUP BY 1, 2, 3",
        [shift, start, end]).fetchall()
    texts = db.execute(
        f"SELECT {day}, 'unanswered.question', normalized || ? || min(question), count(*) FROM unanswered"
        " WHERE asked_at >= ? AND asked_at < ? AND reason = 'fallback' GROUP BY 1, normalized",
        [shift, UNANSWERED_KEY_SEPARATOR, start, end]).fetchall()
    return [tuple(row) for row in (*tiers, *texts)]


def counts_since(storage: Storage, since: str) -> dict[str, int]:
    """Logged questions by reason (fallback, suggest, rated_wrong) since `since`: the dashboard."""
    with storage.connect() as db:
        return dict(db.execute("SELECT reason, count(*) FROM unanswered WHERE asked_at >= ? GROUP BY 1",
                               [since]).fetchall())


def purge(db: Any, cutoff: str) -> int:
    """Questions asked before `cutoff` (ISO, UTC)."""
    return db.execute("DELETE FROM unanswered WHERE asked_at < ?", [cutoff]).rowcount
