"""FAQ matcher: accuracy against baselines, calibration of the tiers, and speed at scale.

    python bench/matcher_bench.py [--quick]

1. DVC FAQ paraphrases (../shared/data/dvc-faq-paraphrases/, read at run time, never copied):
   the data set's 4-fold leave-one-phrasing-out protocol, queries as written and unaccented,
   top-1/top-3 for the matcher and both baselines, the matcher's tiers at shipped thresholds.
2. The project's own knowledge base: tests/data/matcher_eval.yaml, and each entry's `examples`
   (written by the content authors and not indexed, so they are held-out questions too).
3. Build time and answer latency at 100, 1,000 and 10,000 entries made from the procedure names
   in ../shared/data/tthc-catalogue/ (names reused to reach 10,000, so no accuracy from it).
4. The decision per question set (bench/matcher_decision.py: citizen messages by half, leave-one-
   phrasing-out, thin knowledge base, own set), old decision / new lexical-only / new with meaning.
5. The meaning signal at 10,000 entries (bench/matcher_scale.py): first build, restart, latency,
   memory, beside the lexical-only matcher.
Shared data is found at $BOT_SHARED_DIR or ../shared; parts that need it are skipped if absent.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import unicodedata
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matcher_baselines import BM25Baseline, WRatioBaseline  # noqa: E402
from bot.config import MatcherSettings  # noqa: E402
from bot.kb_model import Entry, KnowledgeBase  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from bot.matcher import Matcher  # noqa: E402
from bot.matcher.evaluation import Labelled, evaluate, load_eval_set  # noqa: E402
from bot.matcher.semantic import load_semantic  # noqa: E402

SHARED = Path(os.environ.get("BOT_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
PARAPHRASES = SHARED / "data" / "dvc-faq-paraphrases" / "intents.jsonl"
CATALOGUE = SHARED / "data" / "tthc-catalogue"
SYSTEMS = {"matcher": lambda kb: Matcher(kb, MatcherSettings()), "wratio": WRatioBaseline, "bm25": BM25Baseline}


def _with_meaning(kb: KnowledgeBase) -> Matcher:
    """The matcher with the meaning signal (ordering the candidates), vectors cached in data/."""
    semantic, status = load_semantic(True, ROOT / "data" / "vectors.sqlite3")
    if semantic is None:
        raise RuntimeError(status.reason)
    return Matcher(kb, MatcherSettings(), semantic)


def strip_diacritics(text: str) -> str:
    """The data set's own definition of an unaccented query."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def fold_kb(intents: list[dict], k: int) -> tuple[KnowledgeBase, list[tuple[str, str]]]:
    """Fold k: every intent's other three phrasings form its entry; phrasing k is the query."""
    entries, queries = [], []
    for intent in intents:
        rest = [p for i, p in enumerate(intent["phrasings"]) if i != k]
        entries.append(Entry(intent["intent"], "dvc", rest[0], intent["answer"], alternatives=tuple(rest[1:])))
        queries.append((intent["phrasings"][k], intent["intent"]))
    return KnowledgeBase(tuple(entries)), queries


def paraphrase_section() -> None:
    if not PARAPHRASES.exists():
        print(f"[skipped] paraphrase accuracy: {PARAPHRASES} not found (set BOT_SHARED_DIR)\n")
        return
    intents = [json.loads(line) for line in PARAPHRASES.read_text(encoding="utf-8").splitlines()]
    shared = _shared_phrasings(intents)
    print("== DVC FAQ paraphrases: 4-fold leave-one-phrasing-out, 792 queries "
          "(strict top-1 ceiling 769/792 = 0.971 for a deterministic matcher)")
    print(f"{'system':<26}{'queries':<12}{'top-1':>7}{'top-3':>7}{'lenient':>9}   per-fold top-1"
          "                top-1 tuning half / held-out half")
    for name, build in {"matcher + meaning": _with_meaning, **SYSTEMS}.items():
        folds = [fold_kb(intents, k) for k in range(4)]
        built = [(build(kb), queries) for kb, queries in folds]
        for unaccented in (False, True):
            _report_paraphrases(name, built, shared, unaccented)
    _report_tiers(intents)


def _shared_phrasings(intents: list[dict]) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = {}
    for intent in intents:
        for phrasing in intent["phrasings"]:
            owners.setdefault(phrasing, set()).add(intent["intent"])
    return {p: ids for p, ids in owners.items() if len(ids) > 1}


def half(intent: str) -> int:
    """Half 0 or 1 of the intents, fixed by name. Tuning reads the misses of half 0 only, so
    half 1 shows whether a change generalises beyond the questions that prompted it."""
    return zlib.crc32(intent.encode()) % 2


def _report_paraphrases(name: str, built: list, shared: dict[str, set[str]], unaccented: bool) -> None:
    top1 = top3 = lenient = total = 0
    per_fold = []
    halves = [[0, 0], [0, 0]]  # [hits, queries] per half
    for system, queries in built:
        hits = 0
        for query, intent in queries:
            ranked = [e.id for e, _ in system.rank(strip_diacritics(query) if unaccented else query, 3)]
            hits += ranked[:1] == [intent]
            top3 += intent in ranked
            lenient += bool(ranked[:1]) and ranked[0] in shared.get(query, {intent})
            total += 1
            halves[half(intent)][0] += ranked[:1] == [intent]
            halves[half(intent)][1] += 1
        top1 += hits
        per_fold.append(hits / len(queries))
    label = "unaccented" if unaccented else "as written"
    folds = " ".join(f"{f:.3f}" for f in per_fold)
    split = " / ".join(f"{h / n:.3f}" for h, n in halves)
    print(f"{name:<26}{label:<12}{top1 / total:>7.3f}{top3 / total:>7.3f}{lenient / total:>9.3f}   {folds}   {split}")


def _report_tiers(intents: list[dict]) -> None:
    for unaccented in (False, True):
        tiers = {"answer": 0, "suggest": 0, "fallback": 0}
        wrong = suggested_right = 0
        for k in range(4):
            kb, queries = fold_kb(intents, k)
            matcher = Matcher(kb, MatcherSettings())
            for query, intent in queries:
                match = matcher.answer(strip_diacritics(query) if unaccented else query)
                tiers[match.tier] += 1
                wrong += match.tier == "answer" and match.entry.id != intent
                suggested_right += intent in {e.id for e in match.suggestions}
        print(f"matcher tiers at shipped thresholds ({'unaccented' if unaccented else 'as written'}): "
              f"{_rates(tiers)}; wrong answers {wrong}/792; right entry among suggestions {suggested_right}")
    print()


def _rates(counts: dict[str, int]) -> str:
    total = sum(counts.values()) or 1
    return ", ".join(f"{tier} {counts.get(tier, 0) / total:.1%}" for tier in ("answer", "suggest", "fallback"))


def own_section() -> None:
    kb = load_knowledge(ROOT / "knowledge")
    print(f"== Own knowledge base: {len(kb.entries)} entries, {sum(len(e.phrasings) for e in kb.entries)} phrasings")
    examples = [Labelled(text, e.id, "example") for e in kb.entries for text in e.examples]
    sets = {"tests/data/matcher_eval.yaml": load_eval_set(ROOT / "tests" / "data" / "matcher_eval.yaml"),
            "entries' examples (not indexed)": examples}
    for name, build in SYSTEMS.items():
        system = build(kb)
        for label, items in sets.items():
            if name == "matcher":
                _report_own(label, evaluate(system, items))
            else:
                in_scope = [i for i in items if i.expect]
                top1 = sum([e.id for e, _ in system.rank(i.question, 1)] == [i.expect] for i in in_scope)
                print(f"  {name:<8}{label:<32} top-1 {top1 / len(in_scope):.3f} ({len(in_scope)} questions)")
    print()


def _report_own(label: str, s) -> None:
    print(f"  matcher {label:<32} top-1 {s.top1:.3f}  top-3 {s.top3:.3f}  wrong answers {s.wrong_answer_rate:.1%}"
          f"  ({s.in_scope} in scope: {_rates(s.tiers_in_scope)})")
    if s.out_of_scope:
        print(f"  {'':<8}{'':<32} off-topic/near-miss answered {s.off_topic_answered_rate:.1%}"
              f"  ({s.out_of_scope} questions: {_rates(s.tiers_out_of_scope)})")
    for miss in s.misses:
        print(f"      miss {miss}")


def scale_section(quick: bool) -> None:
    if not CATALOGUE.is_dir():
        print(f"[skipped] scale: {CATALOGUE} not found (set BOT_SHARED_DIR)")
        return
    names = [unicodedata.normalize("NFC", line) for f in sorted(CATALOGUE.glob("*.txt"))
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = _timing_queries(names, 100 if quick else 300)
    print(f"== Scale: knowledge bases of catalogue names, up to {len(queries)} timed questions "
          "(under 20 ms: fastest of 3 runs)")
    print(f"{'system':<10}{'entries':>8}{'build s':>9}{'p50 ms':>9}{'p99 ms':>9}{'cold p99':>9}{'timed':>7}")
    # Real answer texts (the project's own, reused) so the matcher's answer-text tie-break costs
    # what it would in service: each answer is analysed the first time its entry is reranked.
    answers = [e.answer for e in load_knowledge(ROOT / "knowledge").entries]
    for size in (100, 1000, 10000):
        kb = KnowledgeBase(tuple(Entry(f"tthc-{i}", "tthc", names[i % len(names)], answers[i % len(answers)])
                                 for i in range(size)))
        for name, build in SYSTEMS.items():
            started = time.perf_counter()
            system = build(kb)
            built = time.perf_counter() - started
            # Only the matcher caches (answer texts); the baselines' first runs are just runs.
            first_runs = _first_runs(system, queries, [build(kb) for _ in range(2)] if name == "matcher" else [])
            p50, p99, timed = _latency(system, queries)
            cold_p99 = _percentile(first_runs[:timed], 0.99)
            print(f"{name:<10}{size:>8}{built:>9.3f}{p50:>9.2f}{p99:>9.2f}{cold_p99:>9.2f}{timed:>7}")


def _timing_queries(names: list[str], count: int) -> list[str]:
    """Citizen-like questions: paraphrase phrasings when available, else shortened, unaccented names."""
    if PARAPHRASES.exists():
        lines = PARAPHRASES.read_text(encoding="utf-8").splitlines()
        phrasings = [p for line in lines for p in json.loads(line)["phrasings"]]
        return phrasings[:count]
    return [strip_diacritics(" ".join(n.split()[:6])).lower() for n in names[::7][:count]]


def _first_runs(system, queries: list[str], twins: list, budget_seconds: float = 8.0) -> list[float]:
    """Each question's first run in ms ("cold": the answer texts it needs not yet analysed), on
    `system` and on freshly built `twins` of it, keeping the fastest: scheduler noise on a shared
    machine would otherwise decide a single-run p99. Stops after `budget_seconds` per system."""
    best: list[float] = []
    for one in (system, *twins):
        ask, deadline = _asker(one), time.perf_counter() + budget_seconds
        # The twins time the questions the first system reached within its budget.
        for i, query in enumerate(queries[: len(best) or None]):
            run = _timed(ask, query)
            if i < len(best):
                best[i] = min(best[i], run)
            else:
                best.append(run)
            if time.perf_counter() > deadline:
                break
    return best


def _latency(system, queries: list[str], budget_seconds: float = 8.0) -> tuple[float, float, int]:
    """Warm p50 and p99 in ms: a fast question is timed 3 times and its fastest run kept
    (filters scheduler noise on a shared machine); slow systems stop after `budget_seconds`."""
    ask = _asker(system)
    deadline = time.perf_counter() + budget_seconds
    timings = []
    for query in queries:
        runs = [_timed(ask, query)]
        if runs[0] < 20:
            runs += [_timed(ask, query), _timed(ask, query)]
        timings.append(min(runs))
        if time.perf_counter() > deadline:
            break
    return _percentile(timings, 0.5), _percentile(timings, 0.99), len(timings)


def _asker(system):
    """What a citizen's question costs: the matcher's full decision, a baseline's top 3."""
    return system.answer if isinstance(system, Matcher) else lambda query: system.rank(query, 3)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _timed(ask, query: str) -> float:
    started = time.perf_counter()
    ask(query)
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer timing questions")
    args = parser.parse_args()
    paraphrase_section()
    own_section()
    scale_section(args.quick)
    print()
    from bench import matcher_decision, matcher_scale

    print("== Decision per question set (bench/matcher_decision.py)")
    semantic, _ = load_semantic(True, ROOT / "data" / "vectors.sqlite3")
    matcher_decision.report(matcher_decision.report_sets(matcher_decision.shipped()), semantic)
    print()
    sys.argv = sys.argv[:1]
    return matcher_scale.main()


if __name__ == "__main__":
    sys.exit(main())
