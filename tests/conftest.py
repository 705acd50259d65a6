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
