"""How the candidates are ordered when the meaning signal is on, and how sure that order is.

Each candidate entry is described by a few features (`FEATURES`): its lexical confidence, how
it ranks by BM25, how much of what it is about the question names, how much of the question its
answer text mentions, its closeness in meaning to the question in the knowledge base's contrast
space (semantic.py: closest phrasing, and centre of all its phrasings), whether it leads either
signal, and its lexical confidence for the message's
best sentence (segments.py: the question sentence of a long message, undiluted by its context).
A conditional-logit model scores them: the order is the score, and the softmax of the scores
over the candidates is the probability that the leader is the entry the citizen means
(`certainty`), one more piece of evidence for the decision. The weights are fitted by
bench/fit_decision.py on the tuning sets and stored in decision.json beside the decision's;
hand-set weights of the same features ranked the right entry first less often on every tuning
set (bench/README.md).

Lexical-only matchers keep the hand-set order of lexical.py: these weights need the meaning
features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FEATURES = ("lexical", "bm25", "focus", "answer", "contrast_phrasing", "contrast_centre", "lexical_first", "meaning_first",
            "sentence_lexical")


@dataclass(frozen=True)
class Ranking:
    """Weights of `FEATURES`, in that order."""

    weights: tuple[float, ...]

    def scores(self, features: np.ndarray) -> np.ndarray:
        """One score per candidate row of `features` (columns as `FEATURES`)."""
        return features @ np.asarray(self.weights)


def certainty(scores: np.ndarray) -> np.ndarray:
    """Softmax of the scores: each candidate's probability of being the one meant."""
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()
