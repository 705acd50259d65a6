"""Find the knowledge-base entry a citizen's question is about, or say honestly there is none.

An event's text goes in, a `Match` comes out: answer, "Có phải bạn muốn hỏi…" choices, or a
fallback that still offers the closest related entries. The evidence comes from two signals:
- lexical (lexical.py): BM25 retrieval and a calibrated confidence, the share of the question
  an entry's phrasings account for; lexical-only matchers rank and decide on it alone, with the
  old thresholds;
- meaning (semantic.py), when on: the question's closeness to each entry in the model's space
  and in the knowledge base's contrast space (its closest phrasing and the centre of its
  phrasings).
A fitted ranking model (ranking.py) orders the candidates from both, and the meaning signal's
own leaders join the lexical candidates. Its softmax is the certainty the decision
(decision.py) reads beside the lexical confidence. Whether an entry is related at all (a button
worth offering) is judged in the model's own space and the contrast space together.

A long message is also read sentence by sentence (segments.py): a second question after the
answer, or two questions each answered on their own instead of a menu of both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.config import MatcherSettings
from bot.kb_model import Entry, KnowledgeBase
from bot.matcher.accents import AccentRestorer
from bot.matcher.decision import LONG_WORDS, Decision, Evidence, load_decision
from bot.matcher.lexical import Lexical, Query, Ranked
from bot.matcher.normalize import analyse
from bot.matcher.ranking import FEATURES, certainty
from bot.matcher.segments import own_questions, questions
from bot.matcher.semantic import Closeness, Semantic, SemanticIndex

SECOND_SHARE = 0.25  # a second question's entry holds this share of the probability the leader leaves
FOLLOW_UP_SHARE = 0.03  # a sentence giving the message's answer this much is a follow-up on it, not a second question
SECOND_CONTENDERS = 2  # ... and is the runner-up or the third of the whole message's ranking
FAIR_CHANCE = 0.15  # a runner-up the ranking model gives this probability is offered as a choice
READ_CHARS = 2000  # a message is read up to here, Zalo's own length for a text message (see `_readable`)
MEANING_CANDIDATES = 5  # the meaning signal's own leaders (closest phrasing; contrast centre), rescored with the lexical ones


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


class Matcher:
    """Built once per knowledge-base snapshot; `answer` and `rank` are read-only and thread-safe."""

    def __init__(self, kb: KnowledgeBase, settings: MatcherSettings, semantic: Semantic | None = None,
                 decision: Decision | None = None):
        self.kb = kb
        self.settings = settings
        self.decision = decision or load_decision()
        self.lexical = Lexical(kb)
        self.meaning: SemanticIndex | None = None
        self.restorer: AccentRestorer | None = None
        if semantic is not None:
            texts = [text for entry in kb.entries for text in entry.phrasings]
            self.meaning = SemanticIndex(semantic, texts, [doc.entry for doc in self.lexical.index.docs], len(kb.entries))
            self.restorer = AccentRestorer(texts)
        self.position = {entry.id: i for i, entry in enumerate(kb.entries)}

    @property
    def semantic(self) -> bool:
        """Whether the meaning signal takes part in this matcher's decisions."""
        return self.meaning is not None

    def answer(self, question: str) -> Match:
        """Rank, gather the evidence, then decide (decision.py): answer, offer choices, or fall back."""
        s = self.settings
        question = _readable(question)
        closeness = self._closeness(question)
        query = self.lexical.query(question, sentences=closeness is not None)
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
            if second is not None and second_tier == "answer":
                first, second = self._in_order_asked(question, ranked[0][0], second)
                return Match(tier="answer", entry=first, suggestions=(), also=second, **found)
            return Match(tier="answer", entry=ranked[0][0], suggestions=(),
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
        """Meaning closeness of the question to every entry, or None when lexical-only. A short
        question is embedded as the lexical path reads it (courtesy dropped, abbreviations
        expanded): in a few words, "dạ cho em hỏi … ạ" weighs on the vector. A long message keeps
        its wording, whose context and punctuation the model uses; embedding it analysed lost 12
        long messages when each batch was left out (bench/README.md, sixteenth round)."""
        if self.meaning is None or self.restorer is None:
            return None
        restored = self.restorer.restore(question)
        tokens = analyse(restored, self.lexical.abbreviations)
        words = " ".join(token.accented for token in tokens)
        text = words if tokens and len(tokens) <= LONG_WORDS else restored
        return self.meaning.closeness(self.meaning.semantic.embed_query(text))

    def _evidence(self, query: Query, ranked: Ranked, closeness: Closeness | None,
                  sure: float | None) -> Evidence:
        top = ranked[0][1] if ranked else 0.0
        # The lead over the strongest lexical rival, wherever the ranking model put it: the old
        # thresholds' "clear lexical lead" must not be measured against a weaker runner-up
        # ("lm cccd can j" led "cấp lại" by 0.09 over the ranking's runner-up, but by 0.01 over
        # "cấp mới", third in the ranking and the entry meant).
        margin = top - max((score for _, score in ranked[1:]), default=0.0)
        strays = self.lexical.stray_compounds(query, self.position[ranked[0][0].id]) if ranked else 0
        evidence = Evidence(lexical=top, lexical_margin=margin, known_share=self.lexical.known_share(query),
                            unknown_compounds=strays, words=len(query.text.split()),
                            uncovered=tuple(self.lexical.uncovered_words(query)))
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
                                     sentence_lexical=self.lexical.sentence_confidence(query, chosen, top) if ranked else 0.0)

    def _second_question(self, question: str, ranked: Ranked,
                         sure: tuple[float, ...]) -> tuple[Entry | None, str]:
        """Another sentence of the message that is a question about another entry, and the tier
        its own evidence earns: "answer", "suggest" (offered as a choice after the answer) or
        "fallback". With the meaning signal, that entry must also be among the whole message's
        SECOND_CONTENDERS after the leader, holding SECOND_SHARE of the probability the leader
        leaves: a sentence of context that names another procedure ("có cần mang giấy khai sinh
        không") is clear alone, but the message as a whole is not about it. And the message must
        ask twice (segments.own_questions): on the tune halves this removed three second answers
        to messages that asked once, and kept all 20 right ones. A quarter of the leftover
        probability answered 2 more of the 43 two-question tune messages in full than half did;
        letting the third candidate in too answered 3 more of those 43 and 1 more of the fifth
        batch's 10, with no new wrong or off-topic answer on the shipped or the thin knowledge
        base (bench/README.md, seventeenth and eighteenth rounds): a message's first question
        often pulls its ranking so hard that the second's entry comes third. The contender's own
        sentence must still earn an answer on its own evidence, and must not be a follow-up on the
        leader's matter: "Giấy này xin ở đâu, có lâu không?" after a request for a certificate of
        single status leads alone, by its generic words, with a residence certificate, yet still
        gives the leader FOLLOW_UP_SHARE of its probability; a question about another matter gives
        it next to none. On the ten batches' tune halves this took 12 of 26 wrong answers off the
        shipped knowledge base for 1 right one (bench/README.md, twenty-fourth round)."""
        first, meaning = ranked[0][0], bool(sure)
        contenders = {entry for (entry, _), p in zip(ranked[1:1 + SECOND_CONTENDERS], sure[1:], strict=False)
                      if p >= SECOND_SHARE * (1 - sure[0])} if meaning else set()
        if meaning and not contenders:
            return None, "fallback"
        if len(own_questions(question)) < 2:
            return None, "fallback"
        offered: Entry | None = None
        wanted = (lambda e: e in contenders) if meaning else (lambda e: e is not first)
        for entry, tier in self._sentence_tiers(question, wanted, fresh=lambda e: e is not first, apart_from=first):
            if tier == "answer":
                return entry, "answer"
            if meaning and tier != "fallback":
                offered = entry
        return offered, "suggest" if offered else "fallback"

    def _in_order_asked(self, question: str, leader: Entry, second: Entry) -> tuple[Entry, Entry]:
        """The two answers in the order the citizen asked them: the whole message may lead with
        its second question ("… CMND cũ còn dùng được không? Còn tích hợp thẻ BHYT vào VNeID thế
        nào?" leads with the integration), and the first reply should answer the first question.
        The first sentence whose lexical leader is either entry decides."""
        for part in questions(question):
            found = self.lexical.rank(self.lexical.query(part), 1)
            if found and found[0][0] in (leader, second):
                return (second, leader) if found[0][0] is second else (leader, second)
        return leader, second

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
                if len(answered) == 2:
                    return answered[0], answered[1]
        return None

    def _sentence_tiers(self, question: str, wanted: Callable[[Entry], bool], *,
                        fresh: Callable[[Entry], bool] = lambda e: True, least: int = 1,
                        apart_from: Entry | None = None) -> Iterator[tuple[Entry, str]]:
        """For each sentence of the message (segments.py) that asks something of its own and
        whose leader is `wanted`: that leader and the tier its own evidence earns. Only sentences
        plausible lexically, about a `fresh` entry, are embedded ("Hết bao nhiêu tiền?" leads
        lexically with some fee, and with the meaning signal with the fee the message is about),
        and none unless `least` of them are. A sentence that follows up on `apart_from`
        (`_follows_up`) is skipped."""
        s = self.settings
        plausible = []
        for part in own_questions(question):
            query = self.lexical.query(part)  # a sentence has no sentences of its own (segments.py)
            lexical, _ = self._rank(query, None, 2)
            if lexical and lexical[0][1] >= s.suggest_threshold and fresh(lexical[0][0]):
                plausible.append((part, query, lexical))
        if len(plausible) < least:
            return
        for part, query, lexical in plausible:
            closeness = self._closeness(part)
            found, found_sure = self._rank(query, closeness, len(self.kb.entries)) if closeness is not None else (lexical, ())
            if wanted(found[0][0]) and not _follows_up(found, found_sure, apart_from):
                evidence = self._evidence(query, found[:2], closeness, found_sure[0] if found_sure else None)
                yield found[0][0], self.decision.tier(evidence, s)

    def _related(self, ranked: Ranked, sure: tuple[float, ...], closeness: Closeness | None) -> tuple[Entry, ...]:
        """Up to two entries worth offering beside the fallback: the leaders close enough
        lexically that the meaning signal (when on) also finds related, in the model's space and
        the contrast space alike, and those `_plausible`; else nothing (an unrelated choice is
        noise: "wifi nhà em chậm quá" shares "chậm quá" with a phrasing about a late OTP code,
        close in the model's space, not in the contrast space)."""
        s = self.settings
        found = []
        for k, (entry, score) in enumerate(ranked[:2]):
            i = self.position[entry.id]
            close = closeness is None or bool(closeness.phrasing[i] >= s.related_similarity
                                              and closeness.contrast_centre[i] >= s.related_contrast)
            if (score >= s.related_threshold and close) or self._plausible(k, entry, sure, closeness):
                found.append(entry)
        return tuple(found)

    def rank(self, question: str, limit: int = 3, meaning: bool = True) -> Ranked:
        """The `limit` best entries with their lexical confidence in 0..1, best first; ordered
        with the meaning signal unless `meaning` is False (or the matcher is lexical-only)."""
        question = _readable(question)
        closeness = self._closeness(question) if meaning else None
        ranked, _ = self._rank(self.lexical.query(question, sentences=closeness is not None), closeness, limit)
        return ranked

    def candidate_features(self, question: str) -> tuple[list[Entry], np.ndarray] | None:
        """The candidates of a question and their ranking features (ranking.FEATURES), for
        fitting the ranking model; None when lexical-only or the question has no terms."""
        question = _readable(question)
        closeness = self._closeness(question)
        query = self.lexical.query(question, sentences=True)
        if closeness is None or not query.terms:
            return None
        ids, features = self._features(query, closeness)
        return [self.kb.entries[i] for i in ids], features

    def _rank(self, query: Query, closeness: Closeness | None, limit: int) -> tuple[Ranked, tuple[float, ...]]:
        """The `limit` best entries with their lexical confidence, and the ranking model's
        certainty about each (empty when lexical-only). With the meaning signal the order is the
        ranking model's (ranking.py); without it, the hand-set lexical order."""
        if not query.terms or not self.kb.entries:  # a topic file may hold `entries: []`
            return [], ()
        ranking = self.decision.ranking
        if closeness is None or ranking is None:
            return self.lexical.rank(query, limit), ()
        ids, features = self._features(query, closeness)
        scores = ranking.scores(features)
        order = sorted(range(len(ids)), key=lambda k: (-scores[k], ids[k]))[:limit]
        lexical = features[:, FEATURES.index("lexical")]
        ranked = [(self.kb.entries[ids[k]], round(float(lexical[k]), 4)) for k in order]
        sure = certainty(scores)
        return ranked, tuple(float(sure[k]) for k in order)

    def _features(self, query: Query, closeness: Closeness) -> tuple[list[int], np.ndarray]:
        """The lexical candidates and the meaning signal's own leaders, each described by
        ranking.FEATURES (one row per candidate)."""
        candidates = self.lexical.candidates(query)
        strongest = max(candidates.values(), default=0.0) or 1.0
        for signal in (closeness.phrasing, closeness.contrast_centre):
            for entry_id in _leaders(signal, MEANING_CANDIDATES):
                candidates.setdefault(entry_id, 0.0)
        ids = list(candidates)
        lexical = np.array([self.lexical.confidence(query, i) for i in ids])
        phrasing = closeness.phrasing[ids].astype(float)
        columns = {
            "lexical": lexical,
            "bm25": np.array([candidates[i] / strongest for i in ids]),
            "focus": np.array([self.lexical.focused(query, i) for i in ids]),
            "answer": np.array([self.lexical.answer_coverage(query, i) for i in ids]),
            "contrast_phrasing": closeness.contrast_phrasing[ids].astype(float),
            "contrast_centre": closeness.contrast_centre[ids].astype(float),
            "lexical_first": (lexical == lexical.max()).astype(float),
            "meaning_first": (phrasing == phrasing.max()).astype(float),
            "sentence_lexical": np.array([self.lexical.sentence_confidence(query, i, whole)
                                          for i, whole in zip(ids, lexical, strict=True)]),
        }
        return ids, np.column_stack([columns[name] for name in FEATURES])


def _readable(question: str) -> str:
    """The part of a message the matcher reads. A webhook body may carry up to
    `server.max_body_bytes` of text; read whole, a 25,000-character paste of questions took a
    worker 5.7 s (every sentence scored against every candidate). A citizen's question is never
    that long, so the rest cannot help."""
    return question[:READ_CHARS]


def _follows_up(ranked: Ranked, sure: tuple[float, ...], entry: Entry | None) -> bool:
    """Whether a sentence read alone still gives `entry` FOLLOW_UP_SHARE of its probability."""
    return entry is not None and any(e is entry and p >= FOLLOW_UP_SHARE for (e, _), p in zip(ranked, sure, strict=False))


def _leaders(signal: np.ndarray, count: int) -> list[int]:
    """Indices of the `count` highest values, highest first (a partial sort: 10,000 entries)."""
    if len(signal) <= count:
        return np.argsort(-signal).tolist()
    top = np.argpartition(-signal, count)[:count]
    return top[np.argsort(-signal[top])].tolist()
