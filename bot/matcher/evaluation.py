"""Scoring the matcher against a labelled question set (tests/data/matcher_eval.yaml format, and
tests/data/citizen_messages.yaml, whose rows may expect two entries and carry a tuning half).

Shared by the floor tests and the benchmarks so all count the same way:
- top-1: in-scope questions whose first candidate is the expected entry;
- wrong answers: in-scope questions answered (tier "answer") with another entry;
- off-topic answered: questions labelled `expect: null` that got an answer at all;
- (`outcomes`) answered right, and "right entry answered or offered first": answered with an
  expected entry, or the first choice offered (suggestion, or related entry beside the
  fallback) is one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.matcher.matcher import Match, Matcher


@dataclass(frozen=True)
class Labelled:
    question: str
    expect: str | None  # entry id, or None when the bot must not answer
    kind: str
    also: str | None = None  # a second question's entry, in two-question messages
    half: str = ""  # "tune" | "heldout" when the set is split for tuning
    accept: tuple[str, ...] = ()  # other entries that also answer an ambiguous question

    @property
    def expected(self) -> tuple[str, ...]:
        return tuple(e for e in (self.expect, self.also, *self.accept) if e)


@dataclass(frozen=True)
class Scores:
    in_scope: int
    out_of_scope: int
    top1: float
    top3: float
    wrong_answer_rate: float
    off_topic_answered_rate: float
    tiers_in_scope: dict[str, int]
    tiers_out_of_scope: dict[str, int]
    misses: tuple[str, ...]  # readable lines for the questions that went wrong


def load_eval_set(path: str | Path) -> list[Labelled]:
    """Rows of either format: `q`, `expect` (an id, a list of ids, or null), `kind`, `half`."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    rows = data["questions"] if isinstance(data, dict) and "questions" in data else data
    if isinstance(rows, dict):
        rows = next(v for v in rows.values() if isinstance(v, list))
    items = []
    for q in rows:
        expect = q.get("expect", q.get("expected"))
        ids = [str(e) for e in expect] if isinstance(expect, list) else ([str(expect)] if expect else [])
        text = q.get("q", q.get("question", q.get("text", q.get("message"))))
        also = q.get("also", ids[1] if len(ids) > 1 else None)
        items.append(Labelled(str(text), ids[0] if ids else None, str(q.get("kind", "")),
                              str(also) if also else None, str(q.get("half", "")),
                              tuple(str(a) for a in q.get("accept") or ())))
    return items


@dataclass(frozen=True)
class Outcomes:
    """The issue's four figures for one set (rates over in-scope or off-topic rows)."""

    in_scope: int
    off_topic: int
    answered_right: float
    answered_wrong: float
    off_topic_answered: float
    right_or_first_choice: float
    both_answered: float  # two-question rows with both entries answered
    two_questions: int
    both_answered_or_offered: float = 0.0  # ... or the second offered as a choice after the first's answer

    def line(self) -> str:
        both = (f"  both answered {self.both_answered:.3f} (or the second offered {self.both_answered_or_offered:.3f})"
                f" of {self.two_questions}") if self.two_questions else ""
        off = f"  off-topic answered {self.off_topic_answered:.1%} of {self.off_topic}" if self.off_topic else ""
        return (f"right {self.answered_right:.3f}  wrong {self.answered_wrong:.1%}  right-or-first "
                f"{self.right_or_first_choice:.3f}  (in scope {self.in_scope}){off}{both}")


def outcomes(matches: list[tuple[Labelled, Match]]) -> Outcomes:
    """Count answered right / wrong / off-topic answered / right entry answered or offered first."""
    right = wrong = first = off_answered = both = both_offered = two = 0
    in_scope = [(i, m) for i, m in matches if i.expect]
    off = [(i, m) for i, m in matches if not i.expect]
    for item, match in in_scope:
        answered = {e.id for e in (match.entry, match.also) if e is not None}
        offered = (match.suggestions or match.related)[:1]
        right += bool(answered & set(item.expected))
        wrong += bool(answered - set(item.expected))
        first += bool(answered & set(item.expected)) or bool(offered and offered[0].id in item.expected)
        if item.also:
            two += 1
            both += {item.expect, item.also} <= answered
            both_offered += {item.expect, item.also} <= answered | {e.id for e in (match.also_offered,) if e}
    for _, match in off:
        off_answered += match.entry is not None
    n, m = len(in_scope) or 1, len(off) or 1
    return Outcomes(len(in_scope), len(off), right / n, wrong / n, off_answered / m, first / n,
                    both / (two or 1), two, both_offered / (two or 1))


def evaluate(matcher: Matcher, items: list[Labelled]) -> Scores:
    """Run every question through `matcher.answer` and count as described in the module docstring."""
    top1 = top3 = wrong = off_answered = 0
    tiers_in: Counter[str] = Counter()
    tiers_out: Counter[str] = Counter()
    misses: list[str] = []
    for item in items:
        match = matcher.answer(item.question)
        ranked = [entry.id for entry, _ in match.candidates]
        answered = match.entry.id if match.entry else None
        if item.expect is None:
            tiers_out[match.tier] += 1
            off_answered += answered is not None
            ok = answered is None
        else:
            tiers_in[match.tier] += 1
            top1 += ranked[:1] == [item.expect]
            top3 += item.expect in ranked[:3]
            wrong += answered not in (None, item.expect)
            ok = ranked[:1] == [item.expect] and answered in (None, item.expect)
        if not ok:
            misses.append(f"[{item.kind}] {item.question!r}: expected {item.expect}, "
                          f"got {match.tier} {ranked[:3]} score {match.score:.3f}")
    n_in = sum(tiers_in.values()) or 1
    n_out = sum(tiers_out.values()) or 1
    return Scores(sum(tiers_in.values()), sum(tiers_out.values()), top1 / n_in, top3 / n_in, wrong / n_in,
                  off_answered / n_out, dict(tiers_in), dict(tiers_out), tuple(misses))
