"""FAQ matching: normalise Vietnamese text, retrieve candidates, rerank, weigh the meaning signal,
decide a confidence tier."""

from bot.config import MatcherSettings
from bot.kb_model import KnowledgeBase
from bot.matcher.matcher import Match, Matcher
from bot.matcher.semantic import SemanticStatus, load_semantic

__all__ = ["Match", "Matcher", "SemanticStatus", "build_matcher", "semantic_status"]


def build_matcher(kb: KnowledgeBase, settings: MatcherSettings) -> Matcher:
    """The matcher as configured: with the meaning signal when `matcher.semantic` is on and the
    engine loads, lexical-only otherwise (see `semantic_status`)."""
    semantic, _ = load_semantic(settings.semantic, settings.vector_cache)
    return Matcher(kb, settings, semantic)


def semantic_status(settings: MatcherSettings) -> SemanticStatus:
    """Whether the meaning signal is on, and why not, for /healthz and `kb check`."""
    return load_semantic(settings.semantic, settings.vector_cache)[1]
