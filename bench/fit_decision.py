"""Fit the matcher's decision (bot/matcher/decision.py) and write bot/matcher/decision.json.

    python bench/fit_decision.py [--dry-run] [--batches first,second,...,ninth] [--out FILE]

Two fits, in order, on the same data:
1. the ranking model (bot/matcher/ranking.py): a conditional logit over each question's
   candidates, whose softmax is the probability of the entry meant, fitted by Newton steps with
   a backtracking line search, every set weighted equally;
2. the decision, on the evidence the fitted ranking gives (its certainty included).

Data: bench/matcher_sets.tuning_sets — the tune halves of every batch of citizen messages
(tests/data/citizen_messages*.yaml, on the shipped and the thin knowledge base),
leave-one-phrasing-out folds and the thin knowledge base's hidden phrasings. Never a held-out
half. Messages the bot routes elsewhere before the FAQ (small talk, commands) are left out: the
decision never sees them. Each question's evidence about its lexical leader is labelled 1 when
that leader is an expected entry, 0 otherwise (off-topic rows are always 0). A logistic model is
fitted (L2-regularised Newton steps, every set weighted equally so the many short phrasings do
not drown the long messages). The answer thresholds are those that answer the most citizen
tuning messages right while the wrong and off-topic answers, per length class and knowledge base
over all batches, stay within MARGIN (THIN_MARGIN on the thin knowledge base) of the issue's
held-out limits; the suggest threshold is
the lowest probability worth offering as a first choice.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matcher_sets import BATCHES as ALL_BATCHES  # noqa: E402
from bench.matcher_sets import ORDINALS, QuestionSet, answer, shipped, tuning_sets  # noqa: E402
from bot.config import MatcherSettings  # noqa: E402
from bot.matcher.decision import (  # noqa: E402
    HAND_RULES,
    LONG_WORDS,
    MODEL_FILE,
    OLD,
    Decision,
    Evidence,
    Model,
    Rule,
    may_answer,
    old_tier,
)
from bot.matcher.evaluation import Labelled  # noqa: E402
from bot.matcher.matcher import Matcher  # noqa: E402
from bot.matcher.ranking import FEATURES, Ranking  # noqa: E402
from bot.matcher.semantic import load_semantic  # noqa: E402

# The held-out limits (wrong answers among in-scope questions, off-topic answered) and
# the share of them the tuning data may use, keeping room for the held-out half to be harder.
LIMITS = {"short": (0.02, 0.05), "long": (0.05, 0.125)}
BATCHES = dict(zip(ORDINALS, ALL_BATCHES, strict=True))
# The batches the shipped decision.json is fitted on. The eighth batch's tune half is left out:
# fitted on too, it raised the long threshold from 0.62 to 0.70 (its long near misses, a
# mortgage, a licence to sell alcohol and a tuition waiver, lead at answering probabilities) and
# cost long answers on every held-out half (bench/README.md, twenty-first round). The ninth to
# thirteenth batches were written to measure the decision as shipped and are not fitted on either
# (twenty-third to twenty-sixth rounds). `--batches` fits on any others.
FITTED = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh")
MARGIN = 0.8
# The thin knowledge base has no target of its own: it stands for a province whose staff wrote
# little, and its wrong and off-topic answers are held to the limits themselves. The
# margin above is room for the held-out halves, which the targets are read on, to be harder.
# Held to 0.8 of the limits too, its short wrong answers set the short threshold alone
# (bench/README.md, twenty-second round).
THIN_MARGIN = 1.0
L2 = 1.0
# Chosen by leaving each batch out in turn (bench/select_decision.py, bench/README.md fourteenth
# round): whether both rankers agree is left to the hand rules and the ranking model's certainty,
# and the message's length to the choice of model (short or long).
SEMANTIC_FEATURES = ["lexical", "lexical_margin", "known_share", "unknown_compound", "similarity", "meaning_margin",
                     "meaning_gap", "centre", "certainty", "sentence_lexical"]
LEXICAL_FEATURES = ["lexical", "lexical_margin", "known_share", "unknown_compound", "log_words"]
# The sign each feature must have to mean what it says; a feature fitted with the other sign is
# dropped and the model refitted (an unknown compound must never make an answer more likely).
SIGNS = {"lexical": 1, "lexical_margin": 1, "known_share": 1, "unknown_compound": -1, "similarity": 1,
         "meaning_margin": 1, "agree": 1, "meaning_gap": -1, "centre": 1, "certainty": 1,
         "sentence_lexical": 1}


def candidates(sets: list[QuestionSet], semantic) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(set name, candidate features, 1 for the candidates that are an expected entry) for every
    in-scope question whose candidates include an expected entry."""
    rows = []
    for qs, matcher, item in questions(sets, semantic, OLD):
        found = matcher.candidate_features(item.question) if item.expect else None
        if found is None:
            continue
        entries, features = found
        right = np.array([float(e.id in item.expected) for e in entries])
        if right.any():
            rows.append((qs.name, features, right))
    return rows


def questions(sets: list[QuestionSet], semantic, decision: Decision) -> Iterator[tuple[QuestionSet, Matcher, Labelled]]:
    """Every question of every set with the matcher of its knowledge base (built once per base)."""
    built: dict[int, Matcher] = {}
    for qs in sets:
        matcher = built.get(id(qs.kb))
        if matcher is None:
            matcher = built[id(qs.kb)] = Matcher(qs.kb, MatcherSettings(), semantic, decision=decision)
        for item in qs.items:
            yield qs, matcher, item


def equal_weights(groups: list[str]) -> np.ndarray:
    """A weight per row such that every group weighs the same in total."""
    sizes = Counter(groups)
    return np.array([len(groups) / len(sizes) / sizes[group] for group in groups])


def fit_ranking(rows: list[tuple[str, np.ndarray, np.ndarray]]) -> Ranking:
    """Conditional logit: maximise the log of the softmax probability of the expected entries,
    every set weighing the same, L2-regularised."""
    weights = equal_weights([name for name, _, _ in rows])
    weighted = [(w, x, y) for w, (_, x, y) in zip(weights, rows, strict=True)]

    def objective(beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        loss, gradient, hessian = 0.5 * L2 * beta @ beta, -L2 * beta, L2 * np.eye(len(beta))
        for w, x, y in weighted:
            z = x @ beta
            e = np.exp(z - z.max())
            p = e / e.sum()
            loss -= w * (np.log((e * y).sum()) - np.log(e.sum()))
            q = p * y / (p * y).sum()
            mean = p @ x
            gradient += w * (q @ x - mean)
            hessian += w * ((x * p[:, None]).T @ x - np.outer(mean, mean))
        return loss, gradient, hessian

    beta = np.zeros(len(FEATURES))
    loss, gradient, hessian = objective(beta)
    for _ in range(100):
        step, t = np.linalg.solve(hessian, gradient), 1.0
        while True:
            new = objective(beta + t * step)
            if new[0] <= loss or t < 1e-4:
                break
            t /= 2
        beta = beta + t * step
        converged = loss - new[0] < 1e-9
        loss, gradient, hessian = new
        if converged:
            break
    return Ranking(tuple(round(float(b), 4) for b in beta))


def collect(sets: list[QuestionSet], semantic, decision: Decision) -> list[tuple[str, Evidence, int, bool]]:
    """(set name, evidence, label, in scope) for every question, ranked by `decision`'s ranking and
    decided by the old rule so the evidence does not depend on the model being fitted."""
    rows = []
    for qs, matcher, item in questions(sets, semantic, decision):
        match = answer(matcher, item.question)
        if match.signals is None:
            continue
        leader = match.candidates[0][0].id if match.candidates else None
        rows.append((qs.name, match.signals, int(leader in item.expected), bool(item.expect)))
    return rows


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2) -> np.ndarray:
    """Weighted L2-regularised logistic regression by Newton's method; column 0 is the bias."""
    beta = np.zeros(x.shape[1])
    penalty = np.eye(x.shape[1]) * l2
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
        gradient = x.T @ (w * (y - p)) - penalty @ beta
        hessian = (x * (w * p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def _group(name: str) -> str:
    """The limits hold per length class and knowledge base, pooled over the batches: held set by
    set, a batch's 18 off-topic short messages allow no answer at all, so one message decided
    where a threshold went (bench/README.md, seventh and thirteenth rounds)."""
    return ("long" if "long" in name else "short") + (" on thin KB" if "thin" in name else "")


def choose(rows, short: Model, long: Model, margin: float = MARGIN,
           rules: tuple[Rule, ...] = HAND_RULES, thin_margin: float = THIN_MARGIN) -> tuple[Model, Model, dict]:
    """Both answer thresholds at once, since a citizen set mixes short and long messages (a
    "long" message may be short once its courtesies are removed): the pair that answers the most
    citizen tuning messages right while the citizen tuning sets stay within `margin` (shipped
    knowledge base) and `thin_margin` (thin one) of the issue's held-out limits for wrong and
    off-topic answers, among the questions the hand rules allow to be answered. Suggest
    thresholds: the probability above which the leader is right at least half the time."""
    settings = MatcherSettings()
    is_long = np.array([ev.words > LONG_WORDS for _, ev, _, _ in rows])
    p = np.array([(long if lg else short).probability(ev) for (_, ev, _, _), lg in zip(rows, is_long, strict=True)])
    y = np.array([label for _, _, label, _ in rows])
    in_scope = np.array([scope for _, _, _, scope in rows])
    sets = np.array([name for name, _, _, _ in rows])
    allowed = np.array([may_answer(ev, settings, rules) for _, ev, _, _ in rows])
    old = np.array([old_tier(ev, settings) == "answer" for _, ev, _, _ in rows])
    mine = np.char.startswith(sets.astype(str), "citizen")
    pooled = np.array([_group(n) for n in sets])
    groups = []
    for name in sorted(set(pooled[mine])):
        share = thin_margin if "thin" in name else margin
        wrong_limit, off_limit = (share * limit for limit in LIMITS["long" if "long" in name else "short"])
        groups.append((mine & (pooled == name), wrong_limit, off_limit))
    best: tuple[int, float, float] = (-1, 0.99, 0.99)
    grid = np.round(np.arange(0.10, 0.99, 0.02), 2)
    for short_at in grid:
        for long_at in grid:
            answered = ((p >= np.where(is_long, long_at, short_at)) | old) & allowed
            if all(((answered & (y == 0) & member & in_scope).sum() <= wrong_limit * (member & in_scope).sum()
                    and (answered & member & ~in_scope).sum() <= off_limit * (member & ~in_scope).sum())
                   for member, wrong_limit, off_limit in groups):
                right = int((answered & (y == 1) & mine).sum())
                best = max(best, (right, float(short_at), float(long_at)))
    _, short_at, long_at = best
    short = dataclasses.replace(short, answer_at=short_at, suggest_at=_suggest_at(p[~is_long], y[~is_long], short_at))
    long = dataclasses.replace(long, answer_at=long_at, suggest_at=_suggest_at(p[is_long], y[is_long], long_at))
    return short, long, outcome(rows, short, long, rules)


def answered_by(rows, short: Model, long: Model, rules: tuple[Rule, ...] = HAND_RULES) -> np.ndarray:
    """Which rows the decision answers: the model's probability at its threshold, or the old
    thresholds, within the hand rules (decision.Decision.tier)."""
    settings = MatcherSettings()
    return np.array([((short if ev.words <= LONG_WORDS else long).probability(ev)
                      >= (short if ev.words <= LONG_WORDS else long).answer_at
                      or old_tier(ev, settings) == "answer") and may_answer(ev, settings, rules) for _, ev, _, _ in rows],
                    dtype=bool)


def outcome(rows, short: Model, long: Model, rules: tuple[Rule, ...] = HAND_RULES) -> dict[str, dict[str, int]]:
    """Answered right, wrong (in scope) and off-topic answered, per length class."""
    answered = answered_by(rows, short, long, rules)
    is_long = np.array([ev.words > LONG_WORDS for _, ev, _, _ in rows], dtype=bool)
    y = np.array([label for _, _, label, _ in rows])
    in_scope = np.array([scope for _, _, _, scope in rows], dtype=bool)
    stats = {}
    for key, member in (("short", ~is_long), ("long", is_long)):
        stats[key] = {"answered_right": int((answered & member & (y == 1)).sum()),
                      "answered_wrong_in_scope": int((answered & member & (y == 0) & in_scope).sum()),
                      "off_topic_answered": int((answered & member & ~in_scope).sum()),
                      "questions": int(member.sum()), "off_topic_questions": int((member & ~in_scope).sum())}
    return stats


def _suggest_at(p: np.ndarray, y: np.ndarray, answer_at: float) -> float:
    """The lowest probability, below the answer threshold, above which the leader is right at
    least half the time."""
    suggest_at = answer_at
    for t in np.arange(answer_at, 0.0, -0.01):
        band = (p >= t - 0.05) & (p < t + 0.05)
        if band.sum() >= 10 and y[band].mean() < 0.5:
            break
        suggest_at = round(float(t), 2)
    return suggest_at


def model_for(rows, names: list[str], l2: float = L2) -> Model:
    """The logistic model on `names`, dropping any feature fitted with the wrong sign."""
    names = list(names)
    while True:
        model = _model_for(rows, names, l2)
        wrong = [n for n, w in model.weights.items() if SIGNS.get(n, 0) * w < 0]
        if not wrong:
            return model
        names.remove(wrong[0])


def _model_for(rows, names: list[str], l2: float) -> Model:
    x = np.array([[1.0] + [ev.features()[n] for n in names] for _, ev, _, _ in rows])
    y = np.array([label for _, _, label, _ in rows], dtype=float)
    # Every set weighs the same, and within the citizen sets the off-topic and near-miss rows
    # weigh as much as the in-scope ones: they are few, and answering them is the worst error.
    w = equal_weights([f"{name}/{scope}" for name, _, _, scope in rows])
    beta = fit(x, y, w, l2)
    weights = {n: round(float(b), 4) for n, b in zip(names, beta[1:], strict=True)}
    return Model(weights, round(float(beta[0]), 4), 0.99, 0.99)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print, do not write decision.json")
    parser.add_argument("--batches", default=",".join(FITTED),
                        help="the citizen batches whose tune half is fitted on, e.g. first,second (default: the shipped fit's)")
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="where to write (default: the shipped file)")
    args = parser.parse_args()
    semantic, status = load_semantic(True, ROOT / "data" / "vectors.sqlite3")
    if semantic is None:
        print(f"meaning engine unavailable: {status.reason}")
        return 1
    batches = tuple(BATCHES[name] for name in args.batches.split(","))
    sets = tuning_sets(shipped(), batches)
    ranking = fit_ranking(candidates(sets, semantic))
    print("ranking", dict(zip(FEATURES, ranking.weights, strict=True)))
    rows = collect(sets, semantic, Decision(None, None, ranking=ranking))
    lexical_rows = [(n, _without_meaning(e), y, s) for n, e, y, s in rows]
    # Lexical-only deployments keep the old thresholds: fitted on the same data, a lexical-only
    # model answered more of the tuning sets but broke the project's near-miss guarantees
    # (bench/README.md); it is printed for comparison, not shipped.
    lexical = model_for(lexical_rows, LEXICAL_FEATURES)
    print("lexical (not shipped)", *choose(lexical_rows, lexical, lexical))
    short = model_for([r for r in rows if r[1].words <= LONG_WORDS], SEMANTIC_FEATURES)
    long = model_for([r for r in rows if r[1].words > LONG_WORDS], SEMANTIC_FEATURES)
    short, long, provenance = choose(rows, short, long)
    models = {key: {"weights": model.weights, "bias": model.bias, "answer_at": model.answer_at,
                    "suggest_at": model.suggest_at} for key, model in (("semantic", short), ("semantic_long", long))}
    print(json.dumps(models), provenance)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    document = {
        "about": "Logistic decision of bot/matcher/decision.py: p = sigmoid(bias + sum(weight * feature)); "
                 "answer when p >= answer_at, offer choices when p >= suggest_at. Written by bench/fit_decision.py.",
        "fitted": {"at": datetime.date.today().isoformat(), "commit": commit, "limits": LIMITS, "margin": MARGIN,
                   "thin_margin": THIN_MARGIN,
                   "l2": L2, "sets": sorted({n for n, *_ in rows}), "questions": len(rows), "outcome": provenance,
                   "never_used": "the heldout halves of tests/data/citizen_messages*.yaml"},
        "rank": {"weights": dict(zip(FEATURES, ranking.weights, strict=True))},
        "models": models,
    }
    if not args.dry_run:
        args.out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


def _without_meaning(evidence: Evidence) -> Evidence:
    return dataclasses.replace(evidence, similarity=None, meaning_best=None, meaning_margin=None, agree=None,
                               meaning_top=None, centre=None, certainty=None)


if __name__ == "__main__":
    sys.exit(main())
