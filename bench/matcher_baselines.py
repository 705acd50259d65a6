"""The two reference matchers the FAQ matcher is measured against (issue 3).

Both expose the same `rank(question, limit) -> [(Entry, score)]` as `bot.matcher.Matcher`:
- `WRatioBaseline`: rapidfuzz `process.extract` with `WRatio` over the raw phrasings (only
  rapidfuzz's own `default_process`: lower case, punctuation off; diacritics kept), the usual
  "just fuzzy-match the FAQ" approach, a linear scan of every phrasing;
- `BM25Baseline`: plain BM25 (k1 = 1.2, b = 0.75, Lucene IDF) over folded syllables, one document
  per phrasing, an entry scoring as its best phrasing.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from rapidfuzz import fuzz, process, utils

from bot.kb_model import Entry, KnowledgeBase
from bot.matcher.normalize import fold


class WRatioBaseline:
    def __init__(self, kb: KnowledgeBase):
        self.choices = [text for entry in kb.entries for text in entry.phrasings]
        self.owners = [entry for entry in kb.entries for _ in entry.phrasings]

    def rank(self, question: str, limit: int = 3) -> list[tuple[Entry, float]]:
        hits = process.extract(question, self.choices, scorer=fuzz.WRatio, processor=utils.default_process,
                               score_cutoff=0, limit=limit * 4)
        return _best_per_entry(((self.owners[i], score / 100) for _, score, i in hits), limit)


class BM25Baseline:
    K1, B = 1.2, 0.75

    def __init__(self, kb: KnowledgeBase):
        docs = [(entry, fold(text).split()) for entry in kb.entries for text in entry.phrasings]
        self.owners = [entry for entry, _ in docs]
        df = Counter(term for _, tokens in docs for term in set(tokens))
        n, avg = len(docs), sum(len(t) for _, t in docs) / max(len(docs), 1)
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc, (_, tokens) in enumerate(docs):
            norm = self.K1 * (1 - self.B + self.B * len(tokens) / avg)
            for term, tf in Counter(tokens).items():
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                self.postings[term].append((doc, idf * tf * (self.K1 + 1) / (tf + norm)))

    def rank(self, question: str, limit: int = 3) -> list[tuple[Entry, float]]:
        scores: dict[int, float] = defaultdict(float)
        for term in fold(question).split():
            for doc, weight in self.postings.get(term, ()):
                scores[doc] += weight
        ordered = sorted(scores.items(), key=lambda item: -item[1])
        return _best_per_entry(((self.owners[doc], score) for doc, score in ordered), limit)


def _best_per_entry(hits, limit: int) -> list[tuple[Entry, float]]:
    """Hits arrive best first; keep each entry's first (best) hit."""
    ranked: dict[str, tuple[Entry, float]] = {}
    for entry, score in hits:
        ranked.setdefault(entry.id, (entry, score))
        if len(ranked) == limit:
            break
    return list(ranked.values())
