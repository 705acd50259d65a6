"""Choose the decision's form (features, regularisation, fitting margin) by how it does on a
batch of citizen messages it was not fitted on: leave one batch out.

    python bench/select_decision.py [--rows FILE]

Each batch of citizen messages was written by another writer, and each new batch has scored
below the ones the decision was fitted on (bench/README.md). What matters is how a form of the
decision carries to a writer it has not seen, so for each batch in turn:
1. the ranking and the decision are fitted (bench/fit_decision.py) on the tune halves of the
   other batches, with the leave-one-phrasing-out folds and the thin knowledge base;
2. the answer thresholds are chosen there;
3. the left-out batch's tune half (shipped knowledge base) is decided with them.
The left-out halves are pooled per length class. A form passes when the pooled wrong and
off-topic answers stay within the issue's held-out limits; the best is the passing form with the
most messages answered right. Held-out halves are never read.

Forms tried: the shipped one; its hand rules (bot/matcher/decision.py) dropped or changed one
at a time; backward elimination of each length class's features (drop the feature whose absence
helps that class most, while anything helps); then regularisation and margin for the survivors.
`--rows FILE` keeps the fitted rankings' evidence (the slow part: about 45 minutes with seven
batches on a 2-core machine) between runs.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.fit_decision import (  # noqa: E402
    BATCHES,
    L2,
    LIMITS,
    MARGIN,
    SEMANTIC_FEATURES,
    THIN_MARGIN,
    candidates,
    choose,
    collect,
    fit_ranking,
    model_for,
    outcome,
)
from bench.matcher_sets import _label, citizen, shipped, tuning_sets  # noqa: E402
from bot.config import MatcherSettings  # noqa: E402
from bot.matcher.decision import (  # noqa: E402
    HAND_RULES,
    LONG_WORDS,
    Decision,
    Evidence,
    Rule,
    clear_if_uncovered_word,
    short_tie_backed,
)
from bot.matcher.semantic import load_semantic  # noqa: E402


def tie_backed(evidence: Evidence, settings: MatcherSettings) -> bool:
    """The thirteenth round's lexical-tie rule, for messages of any length."""
    return evidence.lexical_margin >= settings.answer_margin or bool(evidence.agree)


def low_lexical_backed(evidence: Evidence, settings: MatcherSettings) -> bool:
    """The eighteenth round's third hand rule: a leader under `suggest_threshold` lexically is
    answered only when the meaning signal picks it too."""
    return evidence.lexical >= settings.suggest_threshold or bool(evidence.agree)


RULE_SETS: dict[str, tuple[Rule, ...]] = {
    "shipped hand rules": HAND_RULES,
    "no hand rules": (),
    "tie rule for all lengths (thirteenth round)": (clear_if_uncovered_word, tie_backed),
    "without the tie rule": (clear_if_uncovered_word,),
    "with the low-lexical rule (eighteenth round)": (*HAND_RULES, low_lexical_backed),
    "without the unknown-word rule": (short_tie_backed,),
}


@dataclass(frozen=True)
class Form:
    features: tuple[str, ...]  # the short messages' model
    long_features: tuple[str, ...]
    l2: float = L2
    margin: float = MARGIN
    rules: str = "shipped hand rules"
    thin_margin: float = THIN_MARGIN

    def __str__(self) -> str:
        dropped = [f for f in SEMANTIC_FEATURES if f not in self.features]
        long_dropped = [f for f in SEMANTIC_FEATURES if f not in self.long_features]
        return (f"{self.rules}, l2 {self.l2:g}, margin {self.margin:g} (thin {self.thin_margin:g}), "
                f"short without: {', '.join(dropped) or '-'}; "
                f"long without: {', '.join(long_dropped) or '-'}")

    def without(self, key: str, feature: str) -> Form:
        if key == "short":
            return replace(self, features=tuple(f for f in self.features if f != feature))
        return replace(self, long_features=tuple(f for f in self.long_features if f != feature))


def fold_rows(semantic) -> list[tuple[str, list, list]]:
    """(left-out batch, fitting rows, left-out rows) for each batch, each with its own ranking."""
    kb, folds = shipped(), []
    for held, path in BATCHES.items():
        train = tuple(p for name, p in BATCHES.items() if name != held)
        sets = tuning_sets(kb, train)
        decision = Decision(None, None, ranking=fit_ranking(candidates(sets, semantic)))
        rows = collect(sets, semantic, decision)
        left_out = collect(citizen(kb, "tune", path=path, label=_label(path, "tune")), semantic, decision)
        folds.append((held, rows, left_out))
        print(f"fold without the {held} batch: {len(rows)} fitting rows, {len(left_out)} left out", flush=True)
    return folds


def pooled(form: Form, folds) -> dict[str, dict[str, int]]:
    """The left-out halves' outcome under `form`, fitted fold by fold, pooled per length class."""
    total: dict[str, dict[str, int]] = {}
    for _, rows, left_out in folds:
        short = model_for([r for r in rows if r[1].words <= LONG_WORDS], list(form.features), form.l2)
        long = model_for([r for r in rows if r[1].words > LONG_WORDS], list(form.long_features), form.l2)
        rules = RULE_SETS[form.rules]
        short, long, _ = choose(rows, short, long, form.margin, rules, form.thin_margin)
        for key in ("short", "long"):
            part = outcome([r for r in left_out if key in r[0]], short, long, rules)
            for cls in part.values():  # a set's class is its author's label, not the word count
                for name, count in cls.items():
                    total.setdefault(key, {}).setdefault(name, 0)
                    total[key][name] += count
    return total


def rates(total: dict[str, dict[str, int]]) -> dict[str, tuple[float, float, float]]:
    """Per class: answered right and wrong among in-scope messages, off-topic answered."""
    found = {}
    for key, t in total.items():
        in_scope = t["questions"] - t["off_topic_questions"]
        found[key] = (t["answered_right"] / in_scope, t["answered_wrong_in_scope"] / in_scope,
                      t["off_topic_answered"] / max(t["off_topic_questions"], 1))
    return found


def score(total: dict[str, dict[str, int]], keys: tuple[str, ...] = ("short", "long")) -> tuple[float, int]:
    """Larger is better: first how far within the limits (0 when within), then right answers."""
    excess = 0.0
    for key, (_, wrong, off) in rates(total).items():
        if key in keys:
            wrong_limit, off_limit = LIMITS[key]
            excess += max(0.0, wrong - wrong_limit) + max(0.0, off - off_limit)
    return -round(excess, 4), sum(total[key]["answered_right"] for key in keys)


def show(form: Form, total) -> str:
    text = "  ".join(f"{key} {right:.3f} / {wrong:.1%} / {off:.1%}" for key, (right, wrong, off) in rates(total).items())
    return f"{text}   [{form}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, help="keep (or reuse) the folds' evidence in this file")
    args = parser.parse_args()
    if args.rows and args.rows.exists():
        folds = pickle.loads(args.rows.read_bytes())
    else:
        semantic, status = load_semantic(True, ROOT / "data" / "vectors.sqlite3")
        if semantic is None:
            print(f"meaning engine unavailable: {status.reason}")
            return 1
        folds = fold_rows(semantic)
        if args.rows:
            args.rows.write_bytes(pickle.dumps(folds))
    print("left-out tune halves pooled: right / wrong / off-topic answered, short then long")
    shipped_form = Form(tuple(SEMANTIC_FEATURES), tuple(SEMANTIC_FEATURES))
    best, best_total = shipped_form, pooled(shipped_form, folds)
    print("shipped  ", show(best, best_total), flush=True)
    for rules in RULE_SETS:
        form = replace(shipped_form, rules=rules)
        print("         ", show(form, pooled(form, folds)), flush=True)
    for key in ("short", "long"):  # backward elimination, one length class at a time
        features = best.features if key == "short" else best.long_features
        while len(features) > 1:
            trials = [(score(total, (key,)), form, total)
                      for form in (best.without(key, drop) for drop in features) for total in [pooled(form, folds)]]
            top_score, form, total = max(trials, key=lambda r: r[0])
            if top_score <= score(best_total, (key,)):
                break
            best, best_total = form, total
            features = best.features if key == "short" else best.long_features
            print("dropped  ", show(best, best_total), flush=True)
    for start in {best, shipped_form}:
        for l2 in (0.1, 0.3, 1.0, 3.0, 10.0):
            for margin, thin_margin in ((0.6, 0.6), (0.8, 0.8), (0.8, 1.0), (1.0, 1.0)):
                form = replace(start, l2=l2, margin=margin, thin_margin=thin_margin)
                total = pooled(form, folds)
                print("         ", show(form, total), flush=True)
                if score(total) > score(best_total):
                    best, best_total = form, total
    print("best     ", show(best, best_total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
