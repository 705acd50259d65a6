"""Where a long message's time goes on the shipped knowledge base: the embedding, and
everything else the matcher does (lexical scoring of every candidate and sentence, ranking,
decision, sentences read apart).

    python bench/matcher_overhead.py

Messages: the citizen messages of both batches (tests/data/citizen_messages*.yaml, both halves:
only their length matters here) longer than 12 words. Each is answered three times and the
fastest run kept; p50 / p99 in ms, and how many embeddings each message needed.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matcher_bench import _percentile  # noqa: E402
from bench.matcher_sets import CITIZEN, SECOND_BATCH, shipped  # noqa: E402
from bot.config import MatcherSettings  # noqa: E402
from bot.matcher.evaluation import load_eval_set  # noqa: E402
from bot.matcher.matcher import Matcher  # noqa: E402
from bot.matcher.semantic import Semantic, load_semantic  # noqa: E402


class TimedSemantic(Semantic):
    """The engine, with the time its embeddings take counted."""

    spent = 0.0
    calls = 0

    def embed_query(self, text: str) -> np.ndarray:
        started = time.perf_counter()
        try:
            return super().embed_query(text)
        finally:
            TimedSemantic.spent += time.perf_counter() - started
            TimedSemantic.calls += 1


def main() -> int:
    semantic, status = load_semantic(True, ROOT / "data" / "vectors.sqlite3")
    if semantic is None:
        print(f"meaning engine unavailable: {status.reason}")
        return 1
    matcher = Matcher(shipped(), MatcherSettings(), TimedSemantic(semantic.embedder, semantic.cache))
    messages = [i.question for path in (CITIZEN, SECOND_BATCH) if path.exists()
                for i in load_eval_set(path) if len(i.question.split()) > 12]
    total, embedding, outside, embeddings = [], [], [], Counter[int]()
    for message in messages:
        runs = []
        for _ in range(3):
            TimedSemantic.spent, TimedSemantic.calls = 0.0, 0
            started = time.perf_counter()
            matcher.answer(message)
            runs.append((time.perf_counter() - started, TimedSemantic.spent, TimedSemantic.calls))
        whole, embedded, calls = min(runs)
        total.append(whole * 1000)
        embedding.append(embedded * 1000)
        outside.append((whole - embedded) * 1000)
        embeddings[calls] += 1
    print(f"== {len(messages)} citizen messages over 12 words, shipped knowledge base (fastest of 3 runs)")
    for name, values in (("whole answer", total), ("embedding", embedding), ("everything else", outside)):
        print(f"{name:<18} p50 {_percentile(values, 0.5):6.1f} ms   p99 {_percentile(values, 0.99):6.1f} ms")
    print("embeddings per message:", ", ".join(f"{k}: {v}" for k, v in sorted(embeddings.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
