"""Find the knowledge-base entry a citizen's question is about, or say honestly there is none.

Pipeline: `analyse` the question (normalize.py) → correct unknown syllables one edit away from a
known one → BM25 candidate retrieval from the inverted index (index.py) → rerank the few
best entries with a calibrated score → decide a tier.

The rerank score of a phrasing, in 0..1, blends
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

That score is the confidence the tiers are decided on. Three more signals only order the
candidates: how far an entry trails the best BM25 match; how much of the question the answer
text of the leading few mentions (a citizen may word a question like the answer rather than
like any phrasing); and, to break near ties, how much of what the entry is consistently about
the question names: "thủ tục chữ ký số" matches the phrasing "Chữ ký số" of two entries, and the
one whose every phrasing says "chữ ký số" is a better bet than the one that mentions it once.
They never raise the confidence, because an answer also mentions matters its entry is not
about: with it, "rút bảo hiểm xã hội một lần" would be answered with the voluntary social
insurance entry.

With the meaning signal on, those hand-set weights give way to a fitted ranking model
(ranking.py): the same signals, the meaning closeness of each candidate in the knowledge base's
contrast space (semantic.py; its closest phrasing and the centre of its phrasings) and whether
it leads either signal, weighted by a conditional logit fitted on the tuning sets. Its softmax
is the certainty the decision reads beside the lexical confidence. The meaning signal's own
leaders join the lexical candidates. Whether an entry is related at all (a button worth
offering) is judged in the model's own space and the contrast space together.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from bot.config import MatcherSettings
from bot.kb_model import Entry, KnowledgeBase
from bot.matcher.accents import AccentRestorer
from bot.matcher.decision import Decision, Evidence, load_decision
from bot.matcher.index import FUNCTION_WORDS, Index, terms_of
from bot.matcher.normalize import analyse, fold, has_diacritics
from bot.matcher.ranking import FEATURES, certainty
from bot.matcher.segments import segments
from bot.matcher.semantic import Closeness, Semantic, SemanticIndex

RERANK = 20  # entries rescored per question, taken from the top of the BM25 ranking
SECOND_SHARE = 0.5  # a second question's entry holds this share of the probability the leader leaves
FAIR_CHANCE = 0.15  # a runner-up the ranking model gives this probability is offered as a choice
MEANING_CANDIDATES = 5  # the meaning signal's own leaders (closest phrasing; contrast centre), rescored with the lexical ones
# Weights of the phrasing score (see the module docstring); chosen by measurement in bench/.
QUERY_COVERAGE, PHRASING_COVERAGE, FUZZY = 0.55, 0.2, 0.25
ENTRY_COVERAGE = 0.3  # share of an entry's score from the query coverage of all its phrasings together
ANSWER_COVERAGE = 0.15  # bonus for the share of the question the entry's answer text covers
BM25_AGREEMENT = 0.15  # cost of ranking below the best candidate by BM25, relative to it
ANSWER_RERANK = 3  # leading candidates whose answer text is consulted
ENTRY_FOCUS = 0.02  # tie-break: share of the entry's recurring terms the question names
SYNONYM_CREDIT = 0.8  # a synonym (synonyms.py, knowledge/synonyms.yaml) earns this share of the word's weight
ACCENT_PENALTY = 0.1  # at most this share of the score is lost when no accent agrees
STRAY_SYLLABLE = 0.5  # credit for a syllable found outside the compound word it forms in the question
_EMPTY: frozenset[str] = frozenset()
Ranked = list[tuple[Entry, float]]  # entries with their lexical confidence, best first


@dataclass(frozen=True)
class Match:
    """The decision for one question; `candidates` is kept for logs, reports and benchmarks.

    `also` is the answer to a second question in the same message, `also_offered` that question's
    entry offered as a choice after the answer when it is not clear enough to answer; `related` are entries offered
    beside the fallback's hotline and portal when some entry is related but none fits;
    `signals` is the evidence the decision read (decision.py), for `ask` and the logs."""

    question: str
    tier: str  # "answer" | "suggest" | "fallback"
    entry: Entry | None  # set only for tier == "answer"
    score: float  # lexical confidence of the top candidate, 0..1
    suggestions: tuple[Entry, ...]
    candidates: tuple[tuple[Entry, float], ...]
    also: Entry | None = None
    also_offered: Entry | None = None
    related: tuple[Entry, ...] = ()
    signals: Evidence | None = None
    meaning: tuple[float, ...] = ()  # meaning similarity of each candidate, when the signal is on
    contrast: tuple[float, ...] = ()  # its closeness to each candidate's centre in the contrast space
    sure: tuple[float, ...] = ()  # the ranking model's probability of each candidate (ranking.py)


@dataclass(frozen=True)
class _Query:
    text: str
    terms: frozenset[str]
    mass: float
    accented: frozenset[str] | None  # None when the question has no diacritics
    compounds: dict[str, tuple[str, ...]]  # content syllable -> the bigrams it forms, none known to the KB
    expanded: frozenset[str]  # the terms and their synonyms
    synonymous: frozenset[str]  # the terms that have synonyms
    typed: tuple[str, ...]  # folded syllables as typed, before spelling correction
    sentences: tuple[_Query, ...] = ()  # each sentence of a message that has several (segments.py)


class Matcher:
    """Built once per knowledge-base snapshot; `answer` and `rank` are read-only and thread-safe."""

    def __init__(self, kb: KnowledgeBase, settings: MatcherSettings, semantic: Semantic | None = None,
                 decision: Decision | None = None):
        self.kb = kb
        self.settings = settings
        self.decision = decision or load_decision()
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
        self.meaning: SemanticIndex | None = None
        self.restorer: AccentRestorer | None = None
        if semantic is not None:
            texts = [text for entry in kb.entries for text in entry.phrasings]
            self.meaning = SemanticIndex(semantic, texts, [doc.entry for doc in self.index.docs], len(kb.entries))
            self.restorer = AccentRestorer(texts)
        self.position = {entry.id: i for i, entry in enumerate(kb.entries)}

    @property
    def semantic(self) -> bool:
        """Whether the meaning signal takes part in this matcher's decisions."""
        return self.meaning is not None

    def answer(self, question: str) -> Match:
        """Rank, gather the evidence, then decide (decision.py): answer, offer choices, or fall back."""
        s = self.settings
        closeness = self._closeness(question)
        query = self._query(question, sentences=closeness is not None)
        ranked, sure = self._rank(query, closeness, max(s.max_suggestions, 3))
        evidence = self._evidence(query, ranked, closeness, sure[0] if sure else None)
        tier = self.decision.tier(evidence, s)
        top = ranked[0][1] if ranked else 0.0
        found: dict[str, Any] = dict(question=question, score=top, candidates=tuple(ranked), signals=evidence,
                                     sure=tuple(round(p, 4) for p in sure))
        if closeness is not None:
            rows = [self.position[e.id] for e, _ in ranked]
            found.update(meaning=tuple(round(float(closeness.phrasing[i]), 4) for i in rows),
                         contrast=tuple(round(float(closeness.contrast_centre[i]), 4) for i in rows))
        if tier == "answer":
            second, second_tier = self._second_question(question, ranked, sure)
            return Match(tier="answer", entry=ranked[0][0], suggestions=(), also=second if second_tier == "answer" else None,
                         also_offered=second if second_tier == "suggest" else None, **found)
        suggestions = self._choices(ranked[: s.max_suggestions], sure, closeness)
        if tier == "suggest" and suggestions:
            asked_apart = self._asked_apart(question, suggestions)
            if asked_apart:
                return Match(tier="answer", entry=asked_apart[0], suggestions=(), also=asked_apart[1], **found)
            return Match(tier="suggest", entry=None, suggestions=suggestions, **found)
        return Match(tier="fallback", entry=None, suggestions=(), related=self._related(ranked, sure, closeness), **found)

    def _choices(self, ranked: Ranked, sure: tuple[float, ...], closeness: Closeness | None) -> tuple[Entry, ...]:
        """The entries worth offering as "Có phải bạn muốn hỏi…" choices: those close enough
        lexically, and with the meaning signal also those `_plausible` however many words of
        context diluted their lexical confidence."""
        s = self.settings
        return tuple(entry for k, (entry, score) in enumerate(ranked)
                     if score >= s.suggest_threshold or self._plausible(k, entry, sure, closeness))

    def _plausible(self, k: int, entry: Entry, sure: tuple[float, ...], closeness: Closeness | None) -> bool:
        """Whether the k-th candidate is worth a button whatever its lexical confidence: the
        ranking model's leader, or a candidate it gives a fair chance, that the meaning signal
        finds related (the model's certainty is relative to the other candidates, and a small
        knowledge base has few). Related means close in the model's space and in the contrast
        space: almost any message is within cosine 0.82 of some entry in the model's space, so
        that bar alone put a button under "công thức làm bánh flan". On the four citizen tune
        halves, 60 of 76 off-topic messages got a button with that bar alone, 40 with both (32
        before buttons followed the ranking model), and 9 in 10 of the messages whose right
        entry leads but is not answered still see it."""
        if not sure or closeness is None or (k and sure[k] < FAIR_CHANCE):
            return False
        i, s = self.position[entry.id], self.settings
        return bool(closeness.phrasing[i] >= s.related_similarity and closeness.contrast_centre[i] >= s.related_contrast)

    def _closeness(self, question: str) -> Closeness | None:
        """Meaning closeness of the question to every entry, or None when lexical-only."""
        if self.meaning is None or self.restorer is None:
            return None
        return self.meaning.closeness(self.meaning.semantic.embed_query(self.restorer.restore(question)))

    def _evidence(self, query: _Query, ranked: list[tuple[Entry, float]], closeness: Closeness | None,
                  sure: float | None) -> Evidence:
        folded = query.text.split()
        content = [w for w in query.typed if w not in FUNCTION_WORDS and w.isalpha()]
        known = sum(1 for w in content if w in self.index.known)
        # Syllables the leader shares with the question only outside the compound the question
        # uses, a compound the knowledge base never writes ("hôn" of "ly hôn" in "kết hôn").
        leader_terms = self.entry_terms[self.position[ranked[0][0].id]] if ranked else _EMPTY
        unknown_compounds = sum(1 for syllable in query.compounds if syllable in leader_terms)
        top = ranked[0][1] if ranked else 0.0
        margin = top - (ranked[1][1] if len(ranked) > 1 else 0.0)
        evidence = Evidence(lexical=top, lexical_margin=margin, known_share=known / len(content) if content else 0.0,
                            unknown_compounds=unknown_compounds, words=len(folded))
        if closeness is None or not len(closeness.phrasing):
            return evidence
        similarity = closeness.phrasing
        order = _leaders(similarity, 2)
        chosen = self.position[ranked[0][0].id] if ranked else -1
        best, second = float(similarity[order[0]]), float(similarity[order[1]]) if len(order) > 1 else 0.0
        return evidence.with_meaning(similarity=float(similarity[chosen]) if ranked else 0.0, best=best,
                                     margin=best - second, agree=int(order[0]) == chosen,
                                     meaning_top=self.kb.entries[int(order[0])].id,
                                     centre=float(closeness.contrast_centre[chosen]) if ranked else 0.0,
                                     certainty=sure if sure is not None else 0.0,
                                     sentence_lexical=self._sentence_confidence(query, chosen, top) if ranked else 0.0)

    def _second_question(self, question: str, ranked: list[tuple[Entry, float]],
                         sure: tuple[float, ...]) -> tuple[Entry | None, str]:
        """Another sentence of the message that is a question about another entry, and the tier
        its own evidence earns: "answer", "suggest" (offered as a choice after the answer) or
        "fallback". With the meaning signal, that entry must also be the whole message's runner-up,
        more likely than all the other candidates together (SECOND_SHARE of what the leader
        leaves): a sentence of context that names another procedure ("có cần mang giấy khai sinh
        không") is clear alone, but the message as a whole is not about it. On the tune half,
        this kept 11 of 13 real second questions and 1 of 11 context sentences (as a choice),
        where a fixed probability of 0.03 kept 10 and answered 2 context sentences."""
        first, meaning = ranked[0][0], bool(sure)
        if meaning and (len(sure) < 2 or sure[1] < SECOND_SHARE * (1 - sure[0])):
            return None, "fallback"
        runner_up = ranked[1][0] if meaning else None
        offered: Entry | None = None
        wanted = (lambda e: e is runner_up) if meaning else (lambda e: e is not first)
        for entry, tier in self._sentence_tiers(question, wanted, fresh=lambda e: e is not first):
            if tier == "answer":
                return entry, "answer"
            if meaning and tier != "fallback":
                offered = entry
        return offered, "suggest" if offered else "fallback"

    def _asked_apart(self, question: str, choices: tuple[Entry, ...]) -> tuple[Entry, Entry] | None:
        """Two of the choices the message would be offered, each the clear answer to a sentence
        of its own, in the order asked: "dùng app VssID thay thẻ được không? và muốn đổi nơi
        khám ban đầu thì làm sao" is two questions, not one unclear one, and deserves both
        answers rather than a menu of them. Each sentence is decided on its own evidence."""
        if self.meaning is None:  # lexical-only matchers keep the old decision
            return None
        answered: list[Entry] = []
        for entry, tier in self._sentence_tiers(question, lambda e: e in choices and e not in answered, least=2):
            if tier == "answer":
                answered.append(entry)
        return (answered[0], answered[1]) if len(answered) >= 2 else None

    def _sentence_tiers(self, question: str, wanted: Callable[[Entry], bool], *,
                        fresh: Callable[[Entry], bool] = lambda e: True, least: int = 1) -> Iterator[tuple[Entry, str]]:
        """For each sentence of the message (segments.py) whose leader is `wanted`: that leader
        and the tier its own evidence earns. Only sentences plausible lexically, about a `fresh`
        entry, are embedded ("Hết bao nhiêu tiền?" leads lexically with some fee, and with the
        meaning signal with the fee the message is about), and none unless `least` of them are."""
        s = self.settings
        plausible = []
        for part in segments(question):
            query = self._query(part)  # a sentence has no sentences of its own (segments.py)
            lexical, _ = self._rank(query, None, 2)
            if lexical and lexical[0][1] >= s.suggest_threshold and fresh(lexical[0][0]):
                plausible.append((part, query, lexical))
        if len(plausible) < least:
            return
        for part, query, lexical in plausible:
            closeness = self._closeness(part)
            found, found_sure = self._rank(query, closeness, 2) if closeness is not None else (lexical, ())
            if wanted(found[0][0]):
                evidence = self._evidence(query, found, closeness, found_sure[0] if found_sure else None)
                yield found[0][0], self.decision.tier(evidence, s)

    def _related(self, ranked: Ranked, sure: tuple[float, ...], closeness: Closeness | None) -> tuple[Entry, ...]:
        """Up to two entries worth offering beside the fallback: the leaders close enough
        lexically that the meaning signal (when on) also finds related, and those `_plausible`;
        else nothing (an unrelated choice is noise)."""
        s = self.settings
        found = []
        for k, (entry, score) in enumerate(ranked[:2]):
            close = closeness is None or float(closeness.phrasing[self.position[entry.id]]) >= s.related_similarity
            if (score >= s.related_threshold and close) or self._plausible(k, entry, sure, closeness):
                found.append(entry)
        return tuple(found)

    def rank(self, question: str, limit: int = 3, meaning: bool = True) -> list[tuple[Entry, float]]:
        """The `limit` best entries with their lexical confidence in 0..1, best first; ordered
        with the meaning signal unless `meaning` is False (or the matcher is lexical-only)."""
        closeness = self._closeness(question) if meaning else None
        ranked, _ = self._rank(self._query(question, sentences=closeness is not None), closeness, limit)
        return ranked

    def candidate_features(self, question: str) -> tuple[list[Entry], np.ndarray] | None:
        """The candidates of a question and their ranking features (ranking.FEATURES), for
        fitting the ranking model; None when lexical-only or the question has no terms."""
        closeness = self._closeness(question)
        query = self._query(question, sentences=True)
        if closeness is None or not query.terms:
            return None
        ids, features = self._features(query, closeness)
        return [self.kb.entries[i] for i in ids], features

    def _rank(self, query: _Query, closeness: Closeness | None, limit: int) -> tuple[Ranked, tuple[float, ...]]:
        """The `limit` best entries with their lexical confidence, and the ranking model's
        certainty about each (empty when lexical-only). With the meaning signal the order is the
        ranking model's (ranking.py); without it, the hand-set lexical order."""
        if not query.terms or not self.kb.entries:  # a topic file may hold `entries: []`
            return [], ()
        ranking = self.decision.ranking
        if closeness is None or ranking is None:
            return self._lexical_rank(query, limit), ()
        ids, features = self._features(query, closeness)
        scores = ranking.scores(features)
        order = sorted(range(len(ids)), key=lambda k: (-scores[k], ids[k]))[:limit]
        lexical = features[:, FEATURES.index("lexical")]
        ranked = [(self.kb.entries[ids[k]], round(float(lexical[k]), 4)) for k in order]
        sure = certainty(scores)
        return ranked, tuple(float(sure[k]) for k in order)

    def _features(self, query: _Query, closeness: Closeness) -> tuple[list[int], np.ndarray]:
        """The lexical candidates and the meaning signal's own leaders, each described by
        ranking.FEATURES (one row per candidate)."""
        candidates = self._candidates(query)
        strongest = max(candidates.values(), default=0.0) or 1.0
        for signal in (closeness.phrasing, closeness.contrast_centre):
            for entry_id in _leaders(signal, MEANING_CANDIDATES):
                candidates.setdefault(entry_id, 0.0)
        ids = list(candidates)
        lexical = np.array([self._confidence(query, i) for i in ids])
        phrasing = closeness.phrasing[ids].astype(float)
        columns = {
            "lexical": lexical,
            "bm25": np.array([candidates[i] / strongest for i in ids]),
            "focus": np.array([self._focused(query, i) for i in ids]),
            "answer": np.array([self._covered(query, self._answer_terms(i)) / query.mass for i in ids]),
            "contrast_phrasing": closeness.contrast_phrasing[ids].astype(float),
            "contrast_centre": closeness.contrast_centre[ids].astype(float),
            "lexical_first": (lexical == lexical.max()).astype(float),
            "meaning_first": (phrasing == phrasing.max()).astype(float),
            "sentence_lexical": np.array([self._sentence_confidence(query, i, whole)
                                          for i, whole in zip(ids, lexical, strict=True)]),
        }
        return ids, np.column_stack([columns[name] for name in FEATURES])

    def _lexical_rank(self, query: _Query, limit: int) -> list[tuple[Entry, float]]:
        """Lexical confidence plus the tie-breaks of the module docstring; reports the confidence."""
        candidates = self._candidates(query)
        strongest = max(candidates.values(), default=0.0) or 1.0
        confidence = {entry_id: self._confidence(query, entry_id) for entry_id in candidates}
        order = {entry_id: confidence[entry_id] - BM25_AGREEMENT * (1 - bm25 / strongest)
                 + ENTRY_FOCUS * self._focused(query, entry_id) for entry_id, bm25 in candidates.items()}
        for entry_id in sorted(order, key=order.__getitem__, reverse=True)[:ANSWER_RERANK]:
            order[entry_id] += ANSWER_COVERAGE * self._covered(query, self._answer_terms(entry_id)) / query.mass
        ranked = sorted(confidence.items(), key=lambda item: (-order[item[0]], item[0]))[:limit]
        return [(self.kb.entries[i], round(score, 4)) for i, score in ranked]

    def _confidence(self, query: _Query, entry_id: int) -> float:
        """An entry's best phrasing, blended with how much of the question all its phrasings cover."""
        best = max(self._score(query, doc_id) for doc_id in self.docs_of[entry_id])
        whole = self._covered(query, self.entry_terms[entry_id]) / query.mass
        return (1 - ENTRY_COVERAGE) * best + ENTRY_COVERAGE * whole

    def _sentence_confidence(self, query: _Query, entry_id: int, whole: float) -> float:
        """The entry's confidence for the message's best sentence: a long message's question
        sentence judged without the context around it (`whole` when it has one sentence)."""
        return max((self._confidence(sentence, entry_id) for sentence in query.sentences), default=whole)

    def _candidates(self, query: _Query) -> dict[int, float]:
        """The RERANK entries whose best phrasing ranks highest by BM25 (synonyms included),
        with that phrasing's BM25 score."""
        bm25 = self.index.retrieve(list(query.expanded))
        entries: dict[int, float] = {}
        for doc_id in sorted(bm25, key=bm25.__getitem__, reverse=True):
            entries.setdefault(self.index.docs[doc_id].entry, bm25[doc_id])
            if len(entries) == RERANK:
                break
        return entries

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

    def _focus(self, docs: list[int]) -> tuple[dict[str, float], float]:
        """Each term of an entry weighted by its IDF and the share of the entry's phrasings that
        contain it, with the total: what the entry is about, as opposed to what it mentions."""
        shares: Counter[str] = Counter()
        for doc_id in docs:
            shares.update(self.index.docs[doc_id].terms)
        focus = {term: self.index.weight(term) * count / len(docs) for term, count in shares.items()}
        return focus, sum(focus.values()) or 1.0

    def _focused(self, query: _Query, entry_id: int) -> float:
        """Share of the entry's focus (see `_focus`) that the question names, synonyms included."""
        if entry_id not in self.focus:
            doc = self.index.docs[self.docs_of[entry_id][0]]
            return sum(map(self.index.weight, query.expanded & doc.terms)) / (doc.mass or 1.0)
        focus, total = self.focus[entry_id]
        return sum(map(focus.__getitem__, query.expanded & focus.keys())) / total

    def _entry_terms(self, docs: list[int]) -> frozenset[str]:
        if len(docs) == 1:
            return self.index.docs[docs[0]].terms
        return frozenset().union(*(self.index.docs[d].terms for d in docs))

    def _query(self, question: str, sentences: bool = False) -> _Query:
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
        parts = tuple(q for q in map(self._query, segments(question)) if q.terms) if sentences else ()
        return _Query(" ".join(folded), terms, mass, accented, unknown, expanded, frozenset(synonymous), typed, parts)

    def _covered(self, query: _Query, terms: frozenset[str]) -> float:
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

    def _score(self, query: _Query, doc_id: int) -> float:
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


def _leaders(signal: np.ndarray, count: int) -> list[int]:
    """Indices of the `count` highest values, highest first (a partial sort: 10,000 entries)."""
    if len(signal) <= count:
        return np.argsort(-signal).tolist()
    top = np.argpartition(-signal, count)[:count]
    return top[np.argsort(-signal[top])].tolist()


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
