"""Inverted index over knowledge-base phrasings: BM25 candidate retrieval and typo correction.

Each phrasing (question or alternative) is one document of syllables and syllable bigrams
(Vietnamese words are mostly one or two syllables, so a bigram is roughly a word). Document
frequency is counted per entry, not per phrasing, so an entry that repeats a term in all its
phrasings does not make that term look common. The IDF is BM25's smoothed form,
ln(1 + (N - df + 0.5) / (df + 0.5)): always positive, and well behaved when N is a few dozen.

Retrieval walks the query's terms from rarest to most common and stops admitting new documents
once enough have been seen; common terms only add to documents already admitted, so a common
term cannot flood the candidates. The posting lists are numpy arrays, one slice per term: a
long message's dozens of terms each touch thousands of phrasings in a large knowledge base,
which a walk over Python dictionaries paid for at about a microsecond each.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from bot.matcher.normalize import Token
from bot.matcher.question_kinds import question_kinds
from bot.matcher.synonyms import synonym_terms

K1 = 1.2
B = 0.5  # phrasings are short and similar in length: damp BM25's length normalisation
POOL = 300  # documents admitted before common terms stop adding new ones
CONTEXT_WORDS = 12  # a phrasing longer than this tells a situation around its question
MIN_CORRECTABLE = 3  # shorter unknown tokens are too ambiguous to spell-correct
BIGRAM_WEIGHT = 0.5  # a bigram repeats evidence its two syllables already gave
FUNCTION_WEIGHT = 0.25
# Folded question-frame and function words ("có thể … không", "làm sao", "thì", "để", "thủ tục").
# In a small knowledge base they can be rare, and rarity alone would make them look like content.
FUNCTION_WORDS = frozenset(
    "co the khong lam sao nao gi de thi duoc can muon phai bi cho cua la va o khi nhu nhung cac "
    "mot nay do voi tai tu ve da dang se roi hay hoac neu ma vi nen bao nhieu dau ai ra vao "
    "len xin cach thu tuc den nua rat theo".split()
)


def terms_of(folded: list[str]) -> list[str]:
    """Syllables, adjacent-syllable bigrams and question kinds, e.g. ["ket", "hon", "ket hon", "?where"]."""
    return folded + list(map(" ".join, pairwise(folded))) + question_kinds(folded)


class Doc(NamedTuple):
    """One indexed phrasing: `entry` is the index of its entry in the knowledge base."""

    entry: int
    text: str  # folded tokens joined by spaces, for rapidfuzz
    terms: frozenset[str]
    accented: frozenset[str] | None  # None when the phrasing is written without diacritics
    mass: float  # sum of the IDF of its distinct terms


class Index:
    """Immutable once built; safe to share between threads."""

    def __init__(self, phrasings: list[tuple[int, list[Token]]], entry_count: int,
                 staff_synonyms: tuple[tuple[str, ...], ...] = ()):
        self.entry_count = max(entry_count, 1)
        bags = [terms_of([t.folded for t in tokens]) for _, tokens in phrasings]
        per_entry: dict[int, set[str]] = defaultdict(set)
        for (entry, _), bag in zip(phrasings, bags, strict=True):
            per_entry[entry].update(bag)
        df: Counter[str] = Counter()
        for terms in per_entry.values():
            df.update(terms)
        self.idf = {term: self._idf(n) * _damping(term) for term, n in df.items()}
        self.unknown_idf = self._idf(0)
        counts = [Counter(bag) for bag in bags]
        self.docs = [self._doc(entry, tokens, c) for (entry, tokens), c in zip(phrasings, counts, strict=True)]
        self.spans, self.posting_docs, self.posting_weights = self._postings(counts)
        self.doc_entry = np.array([doc.entry for doc in self.docs], dtype=np.int64)
        # Each entry's first phrasing (an entry's phrasings are contiguous, and each has one).
        self.entry_starts = np.searchsorted(self.doc_entry, np.arange(entry_count))
        self.corrections = _deletions({t for t in self.idf if " " not in t})
        self.synonyms = synonym_terms(staff_synonyms)
        self.known = frozenset(self.idf).union(FUNCTION_WORDS, *(term.split(" ") for term in self.synonyms))
        # What the knowledge base is about: a long phrasing tells a situation, and its words
        # ("rút" in "đi rút sổ tiết kiệm giúp" for a signature certification) are context.
        self.topical = frozenset(t for (_, tokens), bag in zip(phrasings, bags, strict=True) if len(tokens) <= CONTEXT_WORDS
                                 for t in bag).union(FUNCTION_WORDS, *(term.split(" ") for term in self.synonyms))

    def _idf(self, df: int) -> float:
        return math.log(1 + (self.entry_count - df + 0.5) / (df + 0.5))

    def _doc(self, entry: int, tokens: list[Token], counts: Counter[str]) -> Doc:
        terms = frozenset(counts)
        accented = frozenset(t.accented for t in tokens)
        written_with_diacritics = any(t.accented != t.folded for t in tokens)
        return Doc(entry, " ".join(t.folded for t in tokens), terms,
                   accented if written_with_diacritics else None, sum(map(self.idf.__getitem__, terms)))

    def _postings(self, counts: list[Counter[str]]) -> tuple[dict[str, tuple[int, int]], np.ndarray, np.ndarray]:
        """Every term's posting list as a slice (`spans`) of one array of documents and one of
        their BM25 weights, documents in ascending order within a term. Computed over all
        (document, term) pairs at once: appending them term by term was a quarter of a
        restart's lexical build at 10,000 entries."""
        terms = list(self.idf)
        number = {term: n for n, term in enumerate(terms)}
        term_of = np.fromiter((number[term] for bag in counts for term in bag), dtype=np.int64)
        tf = np.fromiter((tf for bag in counts for tf in bag.values()), dtype=np.float64, count=len(term_of))
        lengths = np.fromiter((bag.total() for bag in counts), dtype=np.float64, count=len(counts))
        doc_of = np.repeat(np.arange(len(counts), dtype=np.int64), [len(bag) for bag in counts])
        avg = float(lengths.sum()) / max(len(counts), 1) or 1.0
        norm = (K1 * (1 - B + B * lengths / avg))[doc_of]
        idf = np.fromiter(self.idf.values(), dtype=np.float64, count=len(terms))[term_of]
        weights = idf * tf * (K1 + 1) / (tf + norm)
        order = np.argsort(term_of, kind="stable")  # documents stay ascending within a term
        ends = np.cumsum(np.bincount(term_of, minlength=len(terms)))
        starts = ends - np.bincount(term_of, minlength=len(terms))
        spans = dict(zip(terms, zip(starts.tolist(), ends.tolist(), strict=True), strict=True))
        return spans, doc_of[order], weights[order]

    def weight(self, term: str) -> float:
        """IDF of `term`; an unknown term weighs as much as the rarest, except unknown numbers
        ("5 tuổi", "150 phân khối"), which are details of the case rather than its topic."""
        known = self.idf.get(term)
        if known is not None:
            return known
        number = FUNCTION_WEIGHT if any(c.isdigit() for c in term) else 1.0
        return self.unknown_idf * _damping(term) * number

    def correct(self, token: str) -> str:
        """The known syllable one edit away from an unknown `token` (most common wins), else itself.
        A word the synonym table knows ("đúng" in "không đúng") is a word, not a typo."""
        if token in self.known or len(token) < MIN_CORRECTABLE or not token.isalpha():
            return token
        found = set(self.corrections.get(token, ()))
        for variant in _variants(token):
            found.update(self.corrections.get(variant, ()))
        return min(found, key=lambda t: (self.idf[t], t)) if found else token

    def retrieve(self, terms: list[str], entries: int) -> dict[int, float]:
        """The `entries` entries whose best phrasing scores highest by BM25 for the query terms,
        with that score, best first (rare terms first, see module docstring)."""
        if not self.docs:
            return {}
        scores = np.zeros(len(self.docs))
        admitted = np.zeros(len(self.docs), dtype=bool)
        pool = 0
        for term in sorted(set(terms), key=lambda term: (-self.weight(term), term)):  # the same order every run
            span = self.spans.get(term)
            if span is None:
                continue
            docs, weights = self.posting_docs[span[0]:span[1]], self.posting_weights[span[0]:span[1]]
            if pool < POOL:
                scores[docs] += weights
                pool += int(np.count_nonzero(~admitted[docs]))
                admitted[docs] = True
            else:
                scores[docs] += weights * admitted[docs]
        best = np.maximum.reduceat(np.where(admitted, scores, -1.0), self.entry_starts)
        found = np.flatnonzero(best > 0)
        if len(found) > entries:
            found = found[np.argpartition(-best[found], entries - 1)[:entries]]
        found = found[np.lexsort((found, -best[found]))]
        return {int(entry): float(best[entry]) for entry in found}


def _damping(term: str) -> float:
    """Bigrams and question-frame words say less about the topic than their rarity suggests."""
    parts = term.split(" ")
    weight = BIGRAM_WEIGHT if len(parts) > 1 else 1.0
    return weight * FUNCTION_WEIGHT if all(p in FUNCTION_WORDS for p in parts) else weight


def _variants(token: str) -> list[str]:
    return [token[:i] + token[i + 1:] for i in range(len(token))]


def _deletions(vocabulary: set[str]) -> dict[str, list[str]]:
    """Map each word and each single-deletion variant of it to the words it came from."""
    table: dict[str, list[str]] = defaultdict(list)
    for word in vocabulary:
        if len(word) >= MIN_CORRECTABLE:
            table[word].append(word)
            for variant in set(_variants(word)):
                table[variant].append(word)
    return dict(table)

