"""Labelled question sets for the matcher's decision, shared by bench/matcher_bench.py (report)
and bench/fit_decision.py (fitting): each set is a knowledge base plus the questions to ask it.

- citizen messages (tests/data/citizen_messages.yaml): short questions, long everyday messages,
  two-question messages, off-topic and near misses, split into `tune` and `heldout` halves by
  their author before any tuning. Only the tune half is ever used for fitting.
- a second to an eleventh batch by other writers (tests/data/citizen_messages_2.yaml to _11.yaml),
  split the same way; the decision is fitted on the tune halves of the first seven
  (bench/fit_decision.py FITTED; bench/README.md, thirteenth to twenty-first rounds), and each
  held-out half is reported apart.
- a message the bot routes elsewhere before the FAQ ("Chào buổi sáng ạ" is small talk) is not
  answered from the FAQ, whatever the matcher would say (`answer`).
- leave-one-phrasing-out on the shipped knowledge base: fold k hides the k-th alternative of
  every entry that has one and asks it.
- the entries' examples (never indexed) against the shipped knowledge base.
- a "thin" copy of the shipped knowledge base (each entry's question and first two
  alternatives): its hidden alternatives and examples, and the citizen messages, show how the
  bot does where staff wrote little.
- the project's own eval set (tests/data/matcher_eval.yaml), whose thresholds were tuned on it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from bot.kb_model import KnowledgeBase
from bot.knowledge import load_knowledge
from bot.matcher.evaluation import Labelled, load_eval_set
from bot.matcher.matcher import Match, Matcher
from handlers import taken_before_faq

ROOT = Path(__file__).resolve().parents[1]
CITIZEN = ROOT / "tests" / "data" / "citizen_messages.yaml"
SECOND_BATCH = ROOT / "tests" / "data" / "citizen_messages_2.yaml"
THIRD_BATCH = ROOT / "tests" / "data" / "citizen_messages_3.yaml"
FOURTH_BATCH = ROOT / "tests" / "data" / "citizen_messages_4.yaml"
FIFTH_BATCH = ROOT / "tests" / "data" / "citizen_messages_5.yaml"
SIXTH_BATCH = ROOT / "tests" / "data" / "citizen_messages_6.yaml"
SEVENTH_BATCH = ROOT / "tests" / "data" / "citizen_messages_7.yaml"
EIGHTH_BATCH = ROOT / "tests" / "data" / "citizen_messages_8.yaml"
NINTH_BATCH = ROOT / "tests" / "data" / "citizen_messages_9.yaml"
TENTH_BATCH = ROOT / "tests" / "data" / "citizen_messages_10.yaml"
ELEVENTH_BATCH = ROOT / "tests" / "data" / "citizen_messages_11.yaml"
TWELFTH_BATCH = ROOT / "tests" / "data" / "citizen_messages_12.yaml"
THIRTEENTH_BATCH = ROOT / "tests" / "data" / "citizen_messages_13.yaml"
BATCHES = (CITIZEN, SECOND_BATCH, THIRD_BATCH, FOURTH_BATCH, FIFTH_BATCH, SIXTH_BATCH, SEVENTH_BATCH, EIGHTH_BATCH,
           NINTH_BATCH, TENTH_BATCH, ELEVENTH_BATCH, TWELFTH_BATCH,
           THIRTEENTH_BATCH)
OWN = ROOT / "tests" / "data" / "matcher_eval.yaml"
FOLDS = 3  # alternatives hidden per entry in turn (most entries have three or more)


@dataclass(frozen=True)
class QuestionSet:
    name: str
    kb: KnowledgeBase
    items: list[Labelled]


def answer(matcher: Matcher, question: str) -> Match:
    """What the citizen gets from the FAQ: the matcher's decision, or nothing (tier "routed")
    when the bot routes the message elsewhere first ("Chào buổi sáng ạ" gets a greeting)."""
    if taken_before_faq(question):
        return Match(question=question, tier="routed", entry=None, score=0.0, suggestions=(), candidates=())
    return matcher.answer(question)


def shipped() -> KnowledgeBase:
    return load_knowledge(ROOT / "knowledge")


def citizen(kb: KnowledgeBase, half: str, kb_label: str = "", path: Path = CITIZEN,
            label: str = "") -> list[QuestionSet]:
    """The citizen messages of one half, split into short and long rows."""
    if not path.exists():
        return []
    items = [i for i in load_eval_set(path) if i.half == half]
    known = {e.id for e in kb.entries}
    items = [i for i in items if all(e in known for e in i.expected)]
    groups: dict[str, list[Labelled]] = {"short": [], "long": []}
    for item in items:
        groups["long" if _is_long(item) else "short"].append(item)
    return [QuestionSet(f"citizen {name} ({label or half}){kb_label}", kb, rows) for name, rows in groups.items() if rows]


def _is_long(item: Labelled) -> bool:
    """Rows the author labelled long or two-question; off-topic and near misses by length."""
    if item.kind in ("long", "two", "short"):
        return item.kind != "short"
    return len(item.question.split()) > 12


def leave_one_phrasing_out(kb: KnowledgeBase) -> list[QuestionSet]:
    sets = []
    for k in range(FOLDS):
        entries, items = [], []
        for entry in kb.entries:
            if len(entry.alternatives) > k:
                hidden = entry.alternatives[k]
                rest = entry.alternatives[:k] + entry.alternatives[k + 1:]
                entries.append(dataclasses.replace(entry, alternatives=rest))
                items.append(Labelled(hidden, entry.id, "lopo"))
            else:
                entries.append(entry)
        sets.append(QuestionSet(f"leave-one-phrasing-out fold {k + 1}", dataclasses.replace(kb, entries=tuple(entries)),
                                items))
    return sets


def examples(kb: KnowledgeBase) -> QuestionSet:
    return QuestionSet("entries' examples", kb, [Labelled(t, e.id, "example") for e in kb.entries for t in e.examples])


def thin(kb: KnowledgeBase) -> KnowledgeBase:
    """Each entry's question and first two alternatives only."""
    return dataclasses.replace(kb, entries=tuple(dataclasses.replace(e, alternatives=e.alternatives[:2])
                                                 for e in kb.entries))


def thin_sets(kb: KnowledgeBase, half: str, batches: tuple[Path, ...] = (CITIZEN,)) -> list[QuestionSet]:
    slim = thin(kb)
    hidden = [Labelled(t, e.id, "thin") for e in kb.entries for t in e.alternatives[2:] + e.examples]
    return [QuestionSet("thin KB: hidden alternatives + examples", slim, hidden),
            *(s for path in batches for s in citizen(slim, half, " on thin KB", path=path, label=_label(path, half)))]


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
            "twelfth", "thirteenth")


def _label(path: Path, half: str) -> str:
    """A batch's half as the reports name it; the first batch's halves are plain "tune" and
    "heldout" (it came first, alone)."""
    position = BATCHES.index(path)
    return f"{ORDINALS[position]} batch, {half}" if position else ""


def own(kb: KnowledgeBase) -> QuestionSet:
    return QuestionSet("own eval set (tuned on)", kb, load_eval_set(OWN))


def tuning_sets(kb: KnowledgeBase, batches: tuple[Path, ...] = BATCHES) -> list[QuestionSet]:
    """What the decision may be fitted on: nothing of a held-out half."""
    return [*(s for path in batches for s in citizen(kb, "tune", path=path, label=_label(path, "tune"))),
            *leave_one_phrasing_out(kb), *thin_sets(kb, "tune", batches)]


def report_sets(kb: KnowledgeBase) -> list[QuestionSet]:
    return [*(s for path in BATCHES for half in ("heldout", "tune")
              for s in citizen(kb, half, path=path, label=_label(path, half))),
            *leave_one_phrasing_out(kb), examples(kb), *thin_sets(kb, "heldout"), own(kb)]
