"""Scoring the matcher against a labelled question set (tests/data/matcher_eval.yaml format).

Shared by the floor test and the benchmark so both count the same way:
- top-1: in-scope questions whose first candidate is the expected entry;
- wrong answers: in-scope questions answered (tier "answer") with another entry;
- off-topic answered: questions labelled `expect: null` that got an answer at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.matcher.matcher import Matcher


@dataclass(frozen=True)
class Labelled:
    question: str
    expect: str | None  # entry id, or None when the bot must not answer
    kind: str


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
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [Labelled(str(q["q"]), q.get("expect"), str(q.get("kind", ""))) for q in data["questions"]]


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
