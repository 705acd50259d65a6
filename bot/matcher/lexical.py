"""The lexical signal: how much of a citizen's question an entry's phrasings account for.

Pipeline: `analyse` the question (normalize.py) → correct unknown syllables one edit away from a
known one → BM25 candidate retrieval from the inverted index (index.py) → rescore the few best
entries with a calibrated confidence.

The score of a phrasing, in 0..1, blends
- query coverage: the IDF-weighted share of the question's syllables and bigrams the phrasing
  contains. An unknown content word ("ly hôn" when only "kết hôn" is covered, "xổ số") keeps
  its full weight in the denominator, which is what sends near misses and off-topic questions
  to fallback instead of to the nearest wrong answer;
- phrasing coverage: the share of the phrasing the question accounts for, so a two-word
  question does not look certain about a long, specific entry;
- rapidfuzz `ratio` on the normalised strings, for typos the bag of terms misses. Measured on
  the paraphrase bench, `token_set_ratio`, `partial_ratio`, `WRatio` and `token_sort_ratio` rank
  no better (±0.5 point), and the first two reach 100 whenever the question is a subset of the
  phrasing, which would make short questions look certain.
An entry scores as its best phrasing, blended with how much of the question all its phrasings
together cover. When the question carries diacritics, syllables that match only once folded
("cần" vs "căn") cost a little, which breaks ties without punishing unaccented questions (or
the unaccented phrasings staff add on purpose).
Unknown syllables one edit from a known one are corrected first ("sinhh" → "sinh").

That score is the confidence the decision reads (matcher.py, decision.py). Three more signals
only order the candidates (`rank`, and the ranking model's features with the meaning signal):
how far an entry trails the best BM25 match; how much of the question the answer text of the
leading few mentions (a citizen may word a question like the answer rather than like any
phrasing); and, to break near ties, how much of what the entry is consistently about the
question names: "thủ tục chữ ký số" matches the phrasing "Chữ ký số" of two entries, and the
one whose every phrasing says "chữ ký số" is a better bet than the one that mentions it once.
They never raise the confidence, because an answer also mentions matters its entry is not
about: with it, "rút bảo hiểm xã hội một lần" would be answered with the voluntary social
insurance entry.
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import fuzz

from bot.kb_model import Entry, KnowledgeBase
from bot.matcher.index import FUNCTION_WORDS, Index, terms_of
from bot.matcher.normalize import analyse, fold, has_diacritics
from bot.matcher.segments import segments

RERANK = 20  # entries rescored per question, taken from the top of the BM25 ranking
# Weights of the phrasing score (see the module docstring); chosen by measurement in bench/.
QUERY_COVERAGE, PHRASING_COVERAGE, FUZZY = 0.55, 0.2, 0.25
ENTRY_COVERAGE = 0.3  # share of an entry's score from the query coverage of all its phrasings together
ANSWER_COVERAGE = 0.15  # bonus for the share of the question the entry's answer text covers
BM25_AGREEMENT = 0.15  # cost of ranking below the best candidate by BM25, relative to it
ANSWER_RERANK = 3  # leading candidates whose answer text is consulted
ENTRY_FOCUS = 0.02  # tie-break: share of the entry's recurring terms the question names
DOUBLED_LETTER = re.compile(r"([^o])\1+")  # a letter typed twice or more; "oo" is Vietnamese (xoong)
SYNONYM_CREDIT = 0.8  # a synonym (synonyms.py, knowledge/synonyms.yaml) earns this share of the word's weight
ACCENT_PENALTY = 0.1  # at most this share of the score is lost when no accent agrees
STRAY_SYLLABLE = 0.5  # credit for a syllable found outside the compound word it forms in the question
Ranked = list[tuple[Entry, float]]  # entries with their lexical confidence, best first


@dataclass(frozen=True)
class Query:
    text: str
    terms: frozenset[str]
    mass: float
    accented: frozenset[str] | None  # None when the question has no diacritics
    compounds: dict[str, tuple[str, ...]]  # content syllable -> the bigrams it forms, none known to the KB
    expanded: frozenset[str]  # the terms and their synonyms
    synonymous: frozenset[str]  # the terms that have synonyms
    typed: tuple[str, ...]  # folded syllables as typed, before spelling correction
    sentences: tuple[Query, ...] = ()  # each sentence of a message that has several (segments.py)


class Lexical:
    """The lexical index of one knowledge-base snapshot and the scores read from it. Built once
    per snapshot; read-only afterwards, and safe to share between threads (see `_answer_terms`)."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.abbreviations = {fold(key): value for key, value in kb.abbreviations.items()}
        with _collector_paused():
            phrasings = [(i, analyse(text, self.abbreviations))
                         for i, entry in enumerate(kb.entries) for text in entry.phrasings]
            self.index = Index(phrasings, len(kb.entries), kb.synonyms)
            self.docs_of: list[list[int]] = [[] for _ in kb.entries]
            for doc_id, doc in enumerate(self.index.docs):
                self.docs_of[doc.entry].append(doc_id)
            self.entry_terms = [self._entry_terms(docs) for docs in self.docs_of]
            # Entries of one phrasing need no table: their focus is that phrasing's terms.
            self.focus = {i: self._focus(docs) for i, docs in enumerate(self.docs_of) if len(docs) > 1}
        self.answer_terms: list[frozenset[str] | None] = [None] * len(kb.entries)
        # What the knowledge base covers: what it is about (index.topical) and what its answers
        # say, the documents, fees, channels and time limits of each procedure ("thẻ ATM",
        # "2 tuần", "in sai"). Folded, not analysed (an answer is written in full words), and each
        # distinct word once: `analyse` over every answer took 4-5 s at 10,000 entries, folding
        # each answer whole 1.2 s, this 0.24 s.
        written: set[str] = set()
        for entry in kb.entries:
            written.update(entry.answer.lower().split())
        self.covered = self.index.topical.union(*(fold(word).split() for word in written))

    def query(self, question: str, sentences: bool = False) -> Query:
        """The question analysed for matching, once per question. Its `sentences` are analysed
        only when asked: only the meaning signal's ranking model and decision read them."""
        tokens = analyse(question, self.abbreviations)
        typed = tuple(t.folded for t in tokens)
        folded = [self.index.correct(t) for t in typed]
        terms = frozenset(terms_of(folded))
        accented = frozenset(t.accented for t in tokens) if has_diacritics(question) else None
        mass = sum(self.index.weight(t) for t in terms)
        unknown = {syllable: bigrams for syllable, bigrams in _compounds(folded).items()
                   if not any(b in self.index.idf for b in bigrams)}
        synonymous = terms & self.index.synonyms.keys()
        expanded = terms.union(*(self.index.synonyms[t] for t in synonymous))
        parts = tuple(q for q in map(self.query, segments(question)) if q.terms) if sentences else ()
        return Query(" ".join(folded), terms, mass, accented, unknown, expanded, frozenset(synonymous), typed, parts)

    def candidates(self, query: Query) -> dict[int, float]:
        """The RERANK entries whose best phrasing ranks highest by BM25 (synonyms included),
        with that phrasing's BM25 score."""
        return self.index.retrieve(list(query.expanded), RERANK)

    def rank(self, query: Query, limit: int) -> Ranked:
        """Lexical confidence plus the tie-breaks of the module docstring; reports the confidence."""
        candidates = self.candidates(query)
        strongest = max(candidates.values(), default=0.0) or 1.0
        confidence = {entry_id: self.confidence(query, entry_id) for entry_id in candidates}
        order = {entry_id: confidence[entry_id] - BM25_AGREEMENT * (1 - bm25 / strongest)
                 + ENTRY_FOCUS * self.focused(query, entry_id) for entry_id, bm25 in candidates.items()}
        for entry_id in sorted(order, key=order.__getitem__, reverse=True)[:ANSWER_RERANK]:
            order[entry_id] += ANSWER_COVERAGE * self._covered(query, self._answer_terms(entry_id)) / query.mass
        ranked = sorted(confidence.items(), key=lambda item: (-order[item[0]], item[0]))[:limit]
        return [(self.kb.entries[i], round(score, 4)) for i, score in ranked]

    def confidence(self, query: Query, entry_id: int) -> float:
        """An entry's best phrasing, blended with how much of the question all its phrasings cover."""
        best = max(self._score(query, doc_id) for doc_id in self.docs_of[entry_id])
        whole = self._covered(query, self.entry_terms[entry_id]) / query.mass
        return (1 - ENTRY_COVERAGE) * best + ENTRY_COVERAGE * whole

    def sentence_confidence(self, query: Query, entry_id: int, whole: float) -> float:
        """The entry's confidence for the message's best sentence: a long message's question
        sentence judged without the context around it (`whole` when it has one sentence)."""
        return max((self.confidence(sentence, entry_id) for sentence in query.sentences), default=whole)

    def focused(self, query: Query, entry_id: int) -> float:
        """Share of the entry's focus (see `_focus`) that the question names, synonyms included."""
        if entry_id not in self.focus:
            doc = self.index.docs[self.docs_of[entry_id][0]]
            return sum(map(self.index.weight, query.expanded & doc.terms)) / (doc.mass or 1.0)
        focus, total = self.focus[entry_id]
        return sum(map(focus.__getitem__, query.expanded & focus.keys())) / total

    def known_share(self, query: Query) -> float:
        """Share of the message's content words, as typed, that the knowledge base's questions
        and short phrasings use (index.topical)."""
        content = self._content_words(query)
        return (len(content) - len(self.unknown_words(query))) / len(content) if content else 0.0

    def unknown_words(self, query: Query) -> list[str]:
        """The message's content words (folded) that no question or short phrasing uses. A word with a
        letter typed twice ("cuocc", "sinhh") is the known word slipped, not a new one: written
        Vietnamese never doubles a letter except "oo" (xoong), while spelling correction in
        general would make a known word of a real one ("rượu" is one edit from "ruộm")."""
        topical = self.index.topical
        return [w for w in self._content_words(query) if w not in topical and _single_letters(w) not in topical]

    def uncovered_words(self, query: Query) -> list[str]:
        """The message's content words (folded) that the knowledge base neither is about nor
        mentions in any answer: what a question it cannot answer may be about ("rượu" in
        "giấy phép kinh doanh rượu"), unlike a word its answers use ("thẻ atm" for paying a fee).
        A word only a long phrasing uses stays uncovered: such a phrasing tells a situation ("rút"
        in "đi rút sổ tiết kiệm giúp"), and "rút bảo hiểm xã hội một lần" is not about it."""
        covered = self.covered
        return [w for w in self._content_words(query) if w not in covered and _single_letters(w) not in covered]

    @staticmethod
    def _content_words(query: Query) -> list[str]:
        return [w for w in query.typed if w not in FUNCTION_WORDS and w.isalpha()]

    def stray_compounds(self, query: Query, entry_id: int) -> int:
        """Syllables the entry shares with the question only outside the compound the question
        uses, a compound the knowledge base never writes ("hôn" of "ly hôn" in "kết hôn")."""
        return sum(1 for syllable in query.compounds if syllable in self.entry_terms[entry_id])

    def answer_coverage(self, query: Query, entry_id: int) -> float:
        """Share of the question the entry's answer text mentions."""
        return self._covered(query, self._answer_terms(entry_id)) / query.mass

    def _answer_terms(self, entry_id: int) -> frozenset[str]:
        """Syllables and bigrams of an entry's answer text, analysed on first use: only leading
        candidates ever need them, so a large knowledge base does not pay for analysing every
        answer at build time (4-5 s at 10,000 entries). Two threads may race to fill the same
        slot with the same value, which is harmless."""
        terms = self.answer_terms[entry_id]
        if terms is None:
            folded = [t.folded for t in analyse(self.kb.entries[entry_id].answer, self.abbreviations)]
            terms = self.answer_terms[entry_id] = frozenset(folded).union(map(" ".join, pairwise(folded)))
        return terms

    def _covered(self, query: Query, terms: frozenset[str]) -> float:
        """IDF mass of the query terms found in `terms`, synonyms counting for a little less.
        Called for every phrasing of every candidate (and of every sentence of a long message),
        hence the set operations rather than a walk over the message's terms."""
        weight = 0.0
        shared = query.terms & terms
        for term in shared:
            compounds = query.compounds.get(term)
            stray = compounds and not any(c in terms for c in compounds)
            weight += self.index.weight(term) * (STRAY_SYLLABLE if stray else 1.0)
        by_synonym: set[str] = set()
        for term in query.synonymous - shared:
            if self.index.synonyms[term] & terms:
                by_synonym.update((term, *term.split(" ")))
        # A two-syllable synonym ("công ty" for "doanh nghiệp") also vouches for its syllables.
        for term in by_synonym & query.terms - terms:
            weight += SYNONYM_CREDIT * self.index.weight(term)
        return weight

    def _score(self, query: Query, doc_id: int) -> float:
        doc = self.index.docs[doc_id]
        weight = self._covered(query, doc.terms)
        if not weight:
            return 0.0
        # Both strings are already normalised, hence no processor; every candidate needs a score.
        fuzzy = fuzz.ratio(query.text, doc.text, processor=None, score_cutoff=0) / 100
        score = QUERY_COVERAGE * weight / query.mass + PHRASING_COVERAGE * weight / doc.mass + FUZZY * fuzzy
        if query.accented is not None and doc.accented is not None:
            score *= 1 - ACCENT_PENALTY * _accent_disagreement(query.accented, doc.accented, query.terms & doc.terms)
        return min(score, 1.0)

    def _focus(self, docs: list[int]) -> tuple[dict[str, float], float]:
        """Each term of an entry weighted by its IDF and the share of the entry's phrasings that
        contain it, with the total: what the entry is about, as opposed to what it mentions."""
        shares: Counter[str] = Counter()
        for doc_id in docs:
            shares.update(self.index.docs[doc_id].terms)
        focus = {term: self.index.weight(term) * count / len(docs) for term, count in shares.items()}
        return focus, sum(focus.values()) or 1.0

    def _entry_terms(self, docs: list[int]) -> frozenset[str]:
        if len(docs) == 1:
            return self.index.docs[docs[0]].terms
        return frozenset().union(*(self.index.docs[d].terms for d in docs))


def _compounds(folded: list[str]) -> dict[str, tuple[str, ...]]:
    """Vietnamese compounds share syllables ("ly hôn" / "kết hôn"): when the question's compound
    appears nowhere in the knowledge base, a phrasing that has only "hôn" matched a different word."""
    found: dict[str, list[str]] = {}
    for left, right in pairwise(folded):
        if left.isalpha() and right.isalpha() and left not in FUNCTION_WORDS and right not in FUNCTION_WORDS:
            bigram = f"{left} {right}"
            found.setdefault(left, []).append(bigram)
            found.setdefault(right, []).append(bigram)
    return {syllable: tuple(bigrams) for syllable, bigrams in found.items()}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building allocates about a million small, acyclic, long-lived objects. Left on, the cyclic
    garbage collector rescans them again and again and roughly doubles the build time; and once
    built, every full collection would rescan them too, a 50 ms pause at 10,000 entries in the
    middle of some citizen's question. Freezing moves them (and whatever else is alive) out of
    the collector's sight; reference counting still frees them when a reload replaces them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _accent_disagreement(asked: frozenset[str], written: frozenset[str], shared: frozenset[str]) -> float:
    """Share of the syllables matched once folded whose written form differs ("cần" vs "căn")."""
    matched = sum(1 for term in shared if " " not in term)
    if not matched:
        return 0.0
    return max(0.0, 1 - len(asked & written) / matched)


def _single_letters(word: str) -> str:
    """`word` with each letter typed twice or more written once ("cuocc" -> "cuoc")."""
    return DOUBLED_LETTER.sub(r"\1", word)
