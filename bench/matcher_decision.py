"""The matcher's decision per question set: answered right, answered wrong, off-topic answered,
right entry answered or offered first — for the old decision (lexical thresholds), the new
decision lexical-only, and the new decision with the meaning signal, side by side.

    python bench/matcher_decision.py [--tune-only] [--only-new]

`--tune-only` prints only the sets the decision may be tuned on (never the held-out half).
The held-out halves of all the citizen batches are also pooled per length class (shipped
knowledge base, meaning signal on), with a 95 % interval on the share answered right: one batch's
half holds 40 to 90 messages of a class, so a single batch moves by several points on a handful
of messages, and the pooled figure is the one to hold against the issue's targets.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matcher_sets import QuestionSet, answer, report_sets, shipped, tuning_sets  # noqa: E402
from bot.config import MatcherSettings  # noqa: E402
from bot.matcher.decision import OLD, load_decision  # noqa: E402
from bot.matcher.evaluation import outcomes  # noqa: E402
from bot.matcher.matcher import Matcher  # noqa: E402
from bot.matcher.semantic import load_semantic  # noqa: E402

TARGETS = {"short": (0.92, 0.02, 0.05, 0.97), "long": (0.85, 0.05, 0.125, 0.95)}


def systems(semantic, only_new: bool = False):
    if only_new:
        return {"new, with meaning": (semantic, load_decision())}
    return {"old decision": (None, OLD), "new, lexical-only": (None, load_decision()),
            "new, with meaning": (semantic, load_decision())}


def report(sets: list[QuestionSet], semantic, verbose: bool = False, only_new: bool = False) -> None:
    built: dict[tuple[int, str], Matcher] = {}
    pooled: dict[str, list] = {"short": [], "long": []}
    for qs in sets:
        print(f"-- {qs.name}: {len(qs.items)} questions")
        for label, (engine, decision) in systems(semantic, only_new).items():
            key = (id(qs.kb), label)
            matcher = built.get(key)
            if matcher is None:
                matcher = built[key] = Matcher(qs.kb, MatcherSettings(), engine, decision=decision)
            pairs = [(item, answer(matcher, item.question)) for item in qs.items]
            print(f"   {label:<20}{outcomes(pairs).line()}{_target(qs.name, outcomes(pairs))}")
            if label == "new, with meaning" and _held_out(qs.name):
                pooled["long" if "long" in qs.name else "short"].extend(pairs)
            if verbose and label == "new, with meaning" and "heldout" not in qs.name:
                for item, match in pairs:
                    got = match.entry.id if match.entry else None
                    if (got not in item.expected and item.expect) or (got and not item.expect):
                        first = (match.suggestions or match.related)[:1]
                        print(f"      miss [{item.kind}] {item.question[:110]!r} expected {item.expect} "
                              f"got {match.tier} {got or (first[0].id if first else None)} "
                              f"lead {match.candidates[0][0].id if match.candidates else None} "
                              f"{_shown_signals(match)}")


    for kind, pairs in pooled.items():
        if pairs:
            o = outcomes(pairs)
            low, high = _wilson(round(o.answered_right * o.in_scope), o.in_scope)
            print(f"-- every citizen batch's held-out half, {kind}, pooled: {len(pairs)} questions")
            print(f"   {'new, with meaning':<20}{o.line()}  right 95 % interval {low:.3f}-{high:.3f}"
                  f"{_target(f'citizen {kind} heldout', o)}")


def _held_out(name: str) -> bool:
    return "citizen" in name and "heldout" in name and "thin" not in name


def _wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion: honest at shares near 1, unlike the normal one."""
    if not n:
        return 0.0, 1.0
    p = successes / n
    centre, spread = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n), (centre + spread) / (1 + z * z / n)


def _shown_signals(match) -> dict:
    """The signals worth reading beside a miss."""
    signals = match.signals.as_dict() if match.signals else {}
    return {k: v for k, v in signals.items() if k in ("lexical", "similarity", "agree", "meaning_top")}


def _target(name: str, o) -> str:
    if not _held_out(name):
        return ""
    right, wrong, off, first = TARGETS["long" if "long" in name else "short"]
    missed = [f"right<{right}" for _ in [0] if o.answered_right < right] + \
             [f"wrong>{wrong:.0%}" for _ in [0] if o.answered_wrong > wrong] + \
             [f"off-topic>{off:.1%}" for _ in [0] if o.off_topic_answered > off] + \
             [f"first<{first}" for _ in [0] if o.right_or_first_choice < first]
    return "   targets met" if not missed else "   MISSED: " + ", ".join(missed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune-only", action="store_true", help="only the sets tuning may read")
    parser.add_argument("--misses", action="store_true", help="list the misses of the tuning sets")
    parser.add_argument("--only-new", action="store_true", help="only the shipped decision with the meaning signal")
    args = parser.parse_args()
    semantic, status = load_semantic(True, ROOT / "data" / "vectors.sqlite3")
    if semantic is None:
        print(f"[meaning engine unavailable: {status.reason}]")
    kb = shipped()
    report(tuning_sets(kb) if args.tune_only else report_sets(kb), semantic, args.misses, args.only_new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
