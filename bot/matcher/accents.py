"""Put diacritics back on an unaccented question, for the meaning signal only.

The embedding model reads "lam can cuoc o dau" as near-gibberish (top-1 0.18 on the paraphrase
set unaccented, against 0.80 as written), while staff write the knowledge base with full
diacritics. So the question's words are looked up in the knowledge base's own vocabulary: each
folded syllable pair ("can cuoc") and syllable ("cuoc") takes its most frequent written form in
the phrasings and answers ("căn cước", "cước"). A pair wins over its syllables, so "can cuoc"
becomes "căn cước" while "can gi" becomes "cần gì". Words the knowledge base never writes stay
as typed. The lexical path never sees the result: it compares folded text anyway.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise

from bot.matcher.normalize import fold, has_diacritics


class AccentRestorer:
    """Most frequent written form of each folded syllable and syllable pair of a vocabulary."""

    def __init__(self, texts: Iterable[str]):
        words: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        folded: dict[str, str] = {}  # each distinct token is folded once: a large base repeats them
        for text in texts:
            if not has_diacritics(text):
                continue  # an unaccented phrasing teaches nothing about accents
            tokens = unicodedata.normalize("NFC", text).lower().split()
            kept = [t.strip(".,;:!?()\"'“”…") for t in tokens if _folded(folded, t)]
            words.update(kept)
            pairs.update(pairwise(kept))
        for word in words:
            _folded(folded, word)
        singles: dict[str, Counter[str]] = defaultdict(Counter)
        for word, count in words.items():
            singles[folded[word]][word] += count
        by_pair: dict[str, Counter[str]] = defaultdict(Counter)
        for (left, right), count in pairs.items():
            by_pair[f"{folded[left]} {folded[right]}"][f"{left} {right}"] += count
        self.pairs = {k: c.most_common(1)[0][0] for k, c in by_pair.items()}
        self.singles = {k: c.most_common(1)[0][0] for k, c in singles.items()}

    def restore(self, text: str) -> str:
        """`text` with diacritics from the vocabulary; a text that has any diacritics is kept."""
        if has_diacritics(text):
            return text
        words = text.lower().split()
        out = list(words)
        fixed = [False] * len(words)
        for i in range(len(words) - 1):
            pair = self.pairs.get(f"{fold(words[i])} {fold(words[i + 1])}")
            if pair is not None:
                left, right = pair.split(" ", 1)
                if not fixed[i]:
                    out[i] = left
                out[i + 1], fixed[i], fixed[i + 1] = right, True, True
        for i, word in enumerate(words):
            if not fixed[i]:
                out[i] = self.singles.get(fold(word), word)
        return " ".join(out)


def _folded(known: dict[str, str], token: str) -> str:
    """`token` folded, once per distinct token (a large base repeats them: folding every
    occurrence was a fifth of a restart at 10,000 entries)."""
    found = known.get(token)
    if found is None:
        found = known[token] = fold(token)
    return found
