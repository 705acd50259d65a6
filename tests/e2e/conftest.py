"""End-to-end fixtures; every test here is skipped, with the reason printed, when Chromium is absent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browserkit import AVAILABLE, SKIP_REASON, Browser, Served


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if AVAILABLE:
        return
    for item in items:
        if "/tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not AVAILABLE:
        terminalreporter.write_line(SKIP_REASON, yellow=True)


@pytest.fixture
def served(tmp_path: Path, fake_zalo: Any) -> Iterator[Served]:
    server = Served(tmp_path, fake_zalo)
    yield server
    server.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser per module (starting Chromium is the slow part), fresh profile."""
    browser = Browser()
    yield browser.driver
    browser.close()


@pytest.fixture
def driver(chromium: Any) -> Iterator[Any]:
    """The module's browser with no cookies left from the previous test (each test serves anew)."""
    chromium.delete_all_cookies()
    yield chromium
