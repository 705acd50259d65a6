"""FAQ matching: normalise Vietnamese text, retrieve candidates, rerank, decide a confidence tier."""

from bot.matcher.matcher import Match, Matcher

__all__ = ["Match", "Matcher"]
