"""The labelled citizen messages stay what their headers say: each row's half is the hash of its
text (so no row can be moved between the tuning and the held-out half after the fact), every
entry a row names exists, and no message is asked twice across the batches (a repeated message
would count twice and could sit in both halves)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bot.knowledge import load_knowledge
from bot.matcher.evaluation import load_eval_set

REPO = Path(__file__).resolve().parents[1]
BATCHES = sorted((REPO / "tests" / "data").glob("citizen_messages*.yaml"))


def declared_half(text: str) -> str:
    return "tune" if int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "heldout"


@pytest.mark.parametrize("path", BATCHES, ids=[p.name for p in BATCHES])
def test_every_row_is_in_the_half_its_text_hashes_to(path):
    rows = load_eval_set(path)
    assert rows and all(row.half == declared_half(row.question) for row in rows)


@pytest.mark.parametrize("path", BATCHES, ids=[p.name for p in BATCHES])
def test_every_entry_a_row_names_exists(path):
    known = {entry.id for entry in load_knowledge(REPO / "knowledge").entries}
    named = {entry for row in load_eval_set(path) for entry in (*row.expected, row.also) if entry}
    assert named <= known, sorted(named - known)


def test_no_message_is_asked_twice_across_the_batches():
    seen: dict[str, str] = {}
    for path in BATCHES:
        for row in load_eval_set(path):
            key = " ".join(row.question.lower().split())
            assert key not in seen, f"{row.question!r} is in {seen[key]} and {path.name}"
            seen[key] = path.name
    assert len(BATCHES) >= 3  # the glob found the batches
