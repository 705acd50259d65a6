"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakezalo import FakeZalo


@pytest.fixture
def fake_zalo() -> Iterator[FakeZalo]:
    """A started fake Zalo server (OpenAPI + OAuth on one base_url), closed after the test."""
    with FakeZalo() as fake:
        yield fake


@pytest.fixture(scope="session")
def semantic(tmp_path_factory):
    """The meaning engine, loaded once per test session, its vector cache in a temp directory."""
    from bot.matcher.semantic import load_semantic

    engine, status = load_semantic(True, tmp_path_factory.mktemp("vectors") / "vectors.sqlite3")
    assert engine is not None, status.reason
    return engine
