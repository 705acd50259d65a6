"""The knowledge base we ship passes `kb check`: what CI runs, with the shipped config.yaml."""

from __future__ import annotations

from bot.config import load_config
from bot.knowledge.validate import check
from tests.harness import REPO


def test_shipped_knowledge_base_has_no_errors() -> None:
    report = check(REPO / "knowledge", load_config(REPO / "config.yaml", env={}))
    assert report.matcher_checked
    assert [str(p) for p in report.errors] == []
