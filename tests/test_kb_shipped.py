"""The knowledge base we ship passes `kb check`: what CI runs, with the shipped config.yaml."""

from __future__ import annotations

import dataclasses

from bot.config import load_config
from bot.knowledge.validate import check
from tests.harness import REPO


def test_shipped_knowledge_base_has_no_errors(tmp_path) -> None:
    config = load_config(REPO / "config.yaml", env={})
    config = dataclasses.replace(config, matcher=dataclasses.replace(config.matcher, vector_cache=str(tmp_path / "v.sqlite3")))
    report = check(REPO / "knowledge", config)
    assert report.matcher_checked
    assert [str(p) for p in report.errors] == []
