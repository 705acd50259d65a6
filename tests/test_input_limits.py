"""Input from outside is parsed with limits: JSON bodies of the admin API, YAML from officers and staff."""

from __future__ import annotations

import logging
import time

import pytest

from tests.harness import ADMIN_TOKEN, Harness

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def h(tmp_path, fake_zalo):
    with Harness(tmp_path, fake_zalo) as harness:
        yield harness


def _no_traceback(caplog) -> bool:
    return not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_admin_json_body_nested_too_deeply_is_400(h, caplog):
    response = h.client.post("/admin/api/tickets/PA-1/reply", data=b"[" * 30_000,
                             headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert _no_traceback(caplog)
