"""FAQ matching: normalise Vietnamese text, retrieve candidates, rerank, weigh the meaning signal,
decide a confidence tier."""

from bot.config import MatcherSettings
from bot.kb_model import KnowledgeBase
from bot.matcher.matcher import Match, Matcher
from bot.matcher.semantic import SemanticStatus, load_semantic, semantic_text

__all__ = ["Match", "Matcher", "SemanticStatus", "build_matcher", "meaning_backlog", "semantic_status"]


def build_matcher(kb: KnowledgeBase, settings: MatcherSettings) -> Matcher:
    """The matcher as configured: with the meaning signal when `matcher.semantic` is on and the
    engine loads, lexical-only otherwise (see `semantic_status`)."""
    semantic, _ = load_semantic(settings.semantic, settings.vector_cache)
    return Matcher(kb, settings, semantic)


def meaning_backlog(kb: KnowledgeBase, settings: MatcherSettings) -> int:
    """How many phrasings `build_matcher` would embed (none in the vector cache yet): about 18 ms
    each on two cores, so a first start at 10,000 entries takes minutes (bench/matcher_scale.py)."""
    semantic, _ = load_semantic(settings.semantic, settings.vector_cache)
    if semantic is None:
        return 0
    return semantic.cache.missing(semantic.embedder, [semantic_text(t) for e in kb.entries for t in e.phrasings])


def semantic_status(settings: MatcherSettings) -> SemanticStatus:
    """Whether the meaning signal is on, and why not, for /healthz and `kb check`."""
    return load_semantic(settings.semantic, settings.vector_cache)[1]
