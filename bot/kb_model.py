"""Immutable knowledge-base records: what the matcher indexes and the handlers render.

Outside both bot/knowledge/ (which loads, validates and edits them, using the matcher) and
bot/matcher/ (which indexes them), so the two packages import one way: knowledge → matcher."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Button:
    """A button staff attach to an answer.

    `kind` is `url` (value: address), `phone` (value: number) or `entry` (value: id of a
    follow-up entry); the conversation layer turns it into the matching Zalo action.
    """

    title: str
    kind: str
    value: str


@dataclass(frozen=True)
class Entry:
    """One FAQ entry. `file`/`line` point staff back at the YAML that defined it."""

    id: str
    topic: str
    question: str
    answer: str
    alternatives: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source: str = ""
    reviewed: str = ""
    examples: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()
    file: str = ""
    line: int = 0
    short_answer: str = ""  # what most people need, sent first with a "Xem chi tiết" button
    facts: tuple[tuple[str, str], ...] = ()  # (name, value): fees, deadlines, used in answers as {name}
    valid_until: str = ""  # ISO date after which the answer is no longer guaranteed
    review_by: str = ""  # ISO date by which staff must re-check the entry
    legal_basis: tuple[str, ...] = ()  # documents the entry rests on, e.g. "Nghị định 118/2025/NĐ-CP"

    @property
    def phrasings(self) -> tuple[str, ...]:
        """Every phrasing the matcher should recognise: the question first."""
        return (self.question, *self.alternatives)

    def values(self, placeholders: Mapping[str, str]) -> dict[str, str]:
        """What `{name}` stands for in this entry's texts: the agency's settings and its facts
        (the loader refuses a fact named like an agency placeholder, so neither hides the other)."""
        return {**placeholders, **dict(self.facts)}

    def expired(self, today: date) -> bool:
        """Past `valid_until`: still answered, but with a caveat that the information may have changed."""
        return bool(self.valid_until) and date.fromisoformat(self.valid_until) < today

    def review_due(self, today: date) -> bool:
        return bool(self.review_by) and date.fromisoformat(self.review_by) < today


@dataclass(frozen=True)
class KnowledgeBase:
    """A complete, validated snapshot; swapped atomically on reload, never mutated."""

    entries: tuple[Entry, ...]
    topics: dict[str, str] = field(default_factory=dict)  # topic key (file stem) -> display name
    abbreviations: dict[str, str] = field(default_factory=dict)  # staff extensions, folded token -> expansion
    synonyms: tuple[tuple[str, ...], ...] = ()  # staff extensions: groups of phrases, as written

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    @property
    def _by_id(self) -> dict[str, Entry]:
        cached = self.__dict__.get("_by_id_cache")
        if cached is None:
            cached = {entry.id: entry for entry in self.entries}
            object.__setattr__(self, "_by_id_cache", cached)
        return cached

    def by_topic(self, topic: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.topic == topic]
