"""Whether to answer, offer choices or fall back, from all the evidence about the leading entry.

The lexical confidence alone (the old decision: `answer_threshold`, `answer_margin`) punishes
every word of context a citizen adds and cannot tell a near miss that shares words with an entry
from a question about it. The evidence here adds what the meaning signal says (its similarity to
the lexical leader, whether its own leader is the same entry, its margin), how much of the
message's content the knowledge base knows at all, compounds it has never seen ("ly hôn"),
length, and the ranking model's certainty that its leader is the entry meant (ranking.py). A
logistic model turns it into the probability that the leader is the right answer; its weights,
thresholds and the data they were fitted on are in decision.json (written by
bench/fit_decision.py), one model for short and one for long messages with the meaning signal;
lexical-only matchers keep the old thresholds.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.config import MatcherSettings
from bot.matcher.ranking import FEATURES, Ranking

MODEL_FILE = Path(__file__).with_name("decision.json")


@dataclass(frozen=True)
class Evidence:
    """Signals about the lexical leader; the meaning fields are None when lexical-only."""

    lexical: float  # lexical confidence of the leader, 0..1
    lexical_margin: float  # its lead over the runner-up
    known_share: float  # share of the message's content words the knowledge base uses
    unknown_compounds: int  # syllables the leader matched outside a compound the knowledge base never uses
    words: int  # words of the message after filler removal
    uncovered: tuple[str, ...] = ()  # content words (folded) no question, short phrasing or answer uses
    similarity: float | None = None  # meaning similarity of the message to the leader
    meaning_best: float | None = None  # the highest similarity to any entry
    meaning_margin: float | None = None  # lead of the meaning signal's own leader
    agree: bool | None = None  # both rankers put the same entry first
    meaning_top: str | None = None  # id of the meaning signal's leader
    centre: float | None = None  # closeness of the message to the centre of the leader's phrasings, contrast space
    certainty: float | None = None  # the ranking model's probability that the leader is the one meant
    sentence_lexical: float | None = None  # the leader's lexical confidence for the message's best sentence

    def with_meaning(self, *, similarity: float, best: float, margin: float, agree: bool, meaning_top: str,
                     centre: float, certainty: float, sentence_lexical: float) -> Evidence:
        return dataclasses.replace(self, similarity=similarity, meaning_best=best, meaning_margin=margin,
                                   agree=agree, meaning_top=meaning_top, centre=centre, certainty=certainty,
                                   sentence_lexical=sentence_lexical)

    def features(self) -> dict[str, float]:
        """The model's inputs, by name (decision.json lists the names each model uses)."""
        values = {
            "lexical": self.lexical,
            "lexical_margin": self.lexical_margin,
            "known_share": self.known_share,
            "unknown_compound": float(self.unknown_compounds > 0),
            "log_words": math.log1p(self.words),
        }
        if self.similarity is not None:
            values.update(similarity=self.similarity, meaning_margin=self.meaning_margin or 0.0,
                          agree=float(bool(self.agree)), meaning_gap=(self.meaning_best or 0.0) - self.similarity,
                          centre=self.centre or 0.0, certainty=self.certainty or 0.0,
                          sentence_lexical=self.sentence_lexical or 0.0)
        return values

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in dataclasses.asdict(self).items()}


@dataclass(frozen=True)
class Model:
    """p(right) = sigmoid(bias + Σ weight·feature); answer at `answer_at`, offer choices at `suggest_at`."""

    weights: dict[str, float]
    bias: float
    answer_at: float
    suggest_at: float

    def probability(self, evidence: Evidence) -> float:
        features = evidence.features()
        z = self.bias + sum(w * features[name] for name, w in self.weights.items())
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


LONG_WORDS = 12  # words after filler removal from which a message counts as long
CLEAR_MEANING = 0.02  # lead of the meaning signal's leader that vouches for a question with an unknown word


class Decision:
    """The tier for a piece of evidence: the fitted model for the signals present and the
    message's length (a long message dilutes the lexical confidence, so it gets its own
    weights), or the old thresholds when decision.json has none (and for the side-by-side)."""

    def __init__(self, semantic: Model | None, lexical: Model | None, semantic_long: Model | None = None,
                 ranking: Ranking | None = None):
        self.semantic = semantic
        self.semantic_long = semantic_long or semantic
        self.lexical = lexical
        self.ranking = ranking  # the candidates' order with the meaning signal (ranking.py)

    def model_for(self, evidence: Evidence) -> Model | None:
        if evidence.similarity is None:
            return self.lexical
        return self.semantic_long if evidence.words > LONG_WORDS else self.semantic

    def tier(self, evidence: Evidence, settings: MatcherSettings) -> str:
        model = self.model_for(evidence)
        if model is None:
            return old_tier(evidence, settings)
        p = model.probability(evidence)
        # The model adds answers where the meaning backs a diluted lexical match; it never takes
        # back one the lexical evidence alone earns under the old thresholds.
        if (p >= model.answer_at or old_tier(evidence, settings) == "answer") and may_answer(evidence, settings):
            return "answer"
        return "suggest" if p >= model.suggest_at or evidence.lexical >= settings.suggest_threshold else "fallback"


def clear_if_uncovered_word(evidence: Evidence, settings: MatcherSettings) -> bool:
    """A short question with a word the knowledge base does not cover ("rượu" in "giấy phép
    kinh doanh rượu": no question, short phrasing or answer uses it) may be about that word:
    answered only when the meaning signal's leader is clear (lead of CLEAR_MEANING), else at
    most a choice. A word only the answers use ("thẻ atm", "in sai", "2 tuần") is a detail of a
    procedure the base covers: counted against the answer when only the questions and short
    phrasings were read, such words held back 7 right short tune answers on the shipped
    knowledge base and 27 on the thin one, for 1 off-topic and 1 wrong answer
    (bench/README.md, twenty-third round)."""
    short = evidence.words <= LONG_WORDS
    return not (short and evidence.uncovered and (evidence.meaning_margin or 0.0) < CLEAR_MEANING)


def short_tie_backed(evidence: Evidence, settings: MatcherSettings) -> bool:
    """A short question's lexical tie (lead under `answer_margin`) is answered only when the
    meaning signal independently picks the same entry. In a long message every word of context
    dilutes both leaders' lexical confidence, so their lexical lead says little; the ranking
    model's certainty (a decision feature) weighs it with the rest. Chosen by leaving each batch
    of citizen messages out in turn (bench/select_decision.py, fourteenth round)."""
    short = evidence.words <= LONG_WORDS
    return not (short and evidence.lexical_margin < settings.answer_margin and not evidence.agree)


Rule = Callable[[Evidence, MatcherSettings], bool]
# The eighteenth round's third rule, a leader under `suggest_threshold` lexically answered only
# when the meaning signal picks it too, was dropped when six batches were left out in turn
# (bench/select_decision.py, nineteenth round): long messages 0.838 -> 0.858 answered right,
# wrong 0.4 % -> 0.6 %, off-topic 8.6 % -> 9.9 %; short off-topic 3.9 % -> 2.3 %.
HAND_RULES: tuple[Rule, ...] = (clear_if_uncovered_word, short_tie_backed)


def may_answer(evidence: Evidence, settings: MatcherSettings, rules: tuple[Rule, ...] = HAND_RULES) -> bool:
    """Whether the hand rules, which the model may not overrule, allow an answer: each guards
    against a failure no probability excuses."""
    return all(rule(evidence, settings) for rule in rules)


def old_tier(evidence: Evidence, settings: MatcherSettings) -> str:
    """The decision before the meaning signal: lexical confidence and margin thresholds."""
    if evidence.lexical >= settings.answer_threshold and evidence.lexical_margin >= settings.answer_margin:
        return "answer"
    return "suggest" if evidence.lexical >= settings.suggest_threshold else "fallback"


OLD = Decision(None, None)


@lru_cache(maxsize=4)
def load_decision(path: Path = MODEL_FILE) -> Decision:
    """The shipped models; the old thresholds (and the hand-set order) when the file is absent."""
    if not path.exists():
        return OLD
    data = json.loads(path.read_text(encoding="utf-8"))
    models = {name: Model(spec["weights"], spec["bias"], spec["answer_at"], spec["suggest_at"])
              for name, spec in data["models"].items()}
    rank = data.get("rank")
    ranking = Ranking(tuple(rank["weights"][name] for name in FEATURES)) if rank else None
    return Decision(models.get("semantic"), models.get("lexical"), models.get("semantic_long"), ranking)
