"""The meaning signal at scale: first build (every phrasing embedded), restart (vectors from the
on-disk cache), per-question latency and peak memory, at 10,000 entries, side by side with the
lexical-only matcher (old decision) in the same process.

    python bench/matcher_scale.py [--entries N] [--questions N]

Entries are procedure names from ../shared/data/tthc-catalogue/ (reused to reach N, each given
a distinct suffix so every phrasing is a new text to embed), questions are paraphrase phrasings
(../shared/data/dvc-faq-paraphrases/) and, timed apart, the long everyday messages of
tests/data/citizen_messages.yaml (both halves: only their length matters here); skipped when
the shared data is absent. The vector cache lives in a temporary directory. Latency: each
question timed three times, fastest kept (the machine is shared); p50 and p99 over the
questions. The restart is timed three times too, and all three are printed. Memory: this
process's peak (ru_maxrss, both matchers, Python and numpy), and a worker's own resident and
peak memory, measured in a child process that restarts one matcher from the vector cache.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matcher_bench import CATALOGUE, PARAPHRASES, _percentile  # noqa: E402
from bench.matcher_sets import CITIZEN  # noqa: E402
from bot.config import MatcherSettings  # noqa: E402
from bot.kb_model import Entry, KnowledgeBase  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from bot.matcher.decision import OLD  # noqa: E402
from bot.matcher.evaluation import load_eval_set  # noqa: E402
from bot.matcher.matcher import Matcher  # noqa: E402
from bot.matcher.semantic import VectorCache, load_semantic  # noqa: E402


def knowledge_base(size: int) -> KnowledgeBase:
    names = [unicodedata.normalize("NFC", line) for f in sorted(CATALOGUE.glob("*.txt"))
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    answers = [e.answer for e in load_knowledge(ROOT / "knowledge").entries]
    entries = []
    for i in range(size):
        name = names[i % len(names)]
        question = name if i < len(names) else f"{name} (lần {i // len(names) + 1})"
        entries.append(Entry(f"tthc-{i}", "tthc", question, answers[i % len(answers)]))
    return KnowledgeBase(tuple(entries))


def rss_mb() -> float:
    """Current resident memory of this process (Linux), in MB."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return float("nan")


def peak_mb() -> float:
    """This process's peak resident memory (Linux VmHWM), in MB. Not ru_maxrss: a child started
    from this bench inherits the parent's peak at the fork, which is not the worker's own."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return float("nan")
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), float("nan"))


def latency(ask: Callable[[str], object], questions: list[str]) -> tuple[float, float]:
    timings = []
    for q in questions:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            ask(q)
            runs.append((time.perf_counter() - started) * 1000)
        timings.append(min(runs))
    return _percentile(timings, 0.5), _percentile(timings, 0.99)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--worker-rss", metavar="CACHE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_rss:
        return worker_rss(args.entries, Path(args.worker_rss), args.questions)
    if not CATALOGUE.is_dir() or not PARAPHRASES.exists():
        print("[skipped] scale: shared data not found (set BOT_SHARED_DIR)")
        return 0
    kb = knowledge_base(args.entries)
    questions = [p for line in PARAPHRASES.read_text(encoding="utf-8").splitlines()
                 for p in json.loads(line)["phrasings"]][: args.questions]
    long_messages = [i.question for i in load_eval_set(CITIZEN) if i.kind in ("long", "two")][: args.questions]
    with tempfile.TemporaryDirectory() as tmp:
        base = rss_mb()
        semantic, status = load_semantic(True, Path(tmp) / "vectors.sqlite3")
        engine = rss_mb()
        if semantic is None:
            print(f"[meaning engine unavailable: {status.reason}]")
            return 1
        started = time.perf_counter()
        lexical = Matcher(kb, MatcherSettings(), None, decision=OLD)
        lexical_build = time.perf_counter() - started
        started = time.perf_counter()
        Matcher(kb, MatcherSettings(), semantic)
        first_build = time.perf_counter() - started
        restarts = []
        for _ in range(3):  # timed like the questions: the machine is shared, so the fastest of 3 is kept
            VectorCache._memory.clear()  # a restart: the process memory is gone, the file stays
            started = time.perf_counter()
            meaning = Matcher(kb, MatcherSettings(), semantic)
            restarts.append(time.perf_counter() - started)
        restart = min(restarts)
        built = rss_mb()
        lex50, lex99 = latency(lexical.answer, questions)
        sem50, sem99 = latency(meaning.answer, questions)
        long_lex50, long_lex99 = latency(lexical.answer, long_messages)
        long_sem50, long_sem99 = latency(meaning.answer, long_messages)
        embed50, embed99 = latency(semantic.embed_query, long_messages)
        worker = subprocess.run([sys.executable, __file__, "--entries", str(args.entries), "--questions",
                                 str(args.questions), "--worker-rss", str(Path(tmp) / "vectors.sqlite3")],
                                capture_output=True, text=True, check=True).stdout.strip()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"== Scale: {args.entries} entries, {len(questions)} questions (fastest of 3 runs each), "
          f"on {_cpu_model()} x {os.cpu_count()}")
    print(f"{'system':<34}{'build s':>9}{'restart s':>11}{'p50 ms':>9}{'p99 ms':>9}")
    print(f"{'lexical only, old decision':<34}{lexical_build:>9.2f}{'':>11}{lex50:>9.2f}{lex99:>9.2f}")
    print(f"{'with meaning, new decision':<34}{first_build:>9.2f}{restart:>11.2f}{sem50:>9.2f}{sem99:>9.2f}")
    print(f"  (restart: fastest of {', '.join(f'{r:.2f}' for r in restarts)} s)")
    print(f"long citizen messages ({len(long_messages)}, {_mean_words(long_messages):.0f} words on average):")
    print(f"{'  lexical only, old decision':<34}{'':>9}{'':>11}{long_lex50:>9.2f}{long_lex99:>9.2f}")
    print(f"{'  with meaning, new decision':<34}{'':>9}{'':>11}{long_sem50:>9.2f}{long_sem99:>9.2f}")
    print(f"{'  the embedding alone (engine)':<34}{'':>9}{'':>11}{embed50:>9.2f}{embed99:>9.2f}")
    print(f"memory: {base:.0f} MB before the engine, {engine:.0f} MB with it loaded, {built:.0f} MB with both "
          f"10,000-entry matchers built; peak (during the first build's batches) {rss:.0f} MB")
    print(f"a worker (one matcher with the meaning signal, restarted from the vector cache, after answering): {worker}")
    return 0


def _cpu_model() -> str:
    """The processor's name: the embedding's cost, most of a long message's, varies with it
    (bench/README.md, sixteenth round), so figures from two machines are compared with it."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return "unknown CPU"
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "unknown CPU")


def _mean_words(texts: list[str]) -> float:
    return sum(len(t.split()) for t in texts) / (len(texts) or 1)


def worker_rss(entries: int, cache: Path, questions: int) -> int:
    """What a bot worker holds: the engine and one matcher with the meaning signal, built from
    the vector cache as after a restart, after answering the timed questions."""
    semantic, _ = load_semantic(True, cache)
    matcher = Matcher(knowledge_base(entries), MatcherSettings(), semantic)
    for line in PARAPHRASES.read_text(encoding="utf-8").splitlines()[:questions]:
        for question in json.loads(line)["phrasings"]:
            matcher.answer(question)
    print(f"RSS {rss_mb():.0f} MB, peak {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
