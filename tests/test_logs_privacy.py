"""Logs help operate the service without leaking secrets or citizens' data."""

from __future__ import annotations

import logging

from tests.fakezalo import Empty
from tests.harness import REPO, Harness

SPINE_KB = REPO / "tests" / "data" / "spine_kb"


def test_logs_carry_no_tokens_user_ids_or_message_text(tmp_path, fake_zalo, caplog):
    caplog.set_level(logging.DEBUG)
    old_refresh = fake_zalo.refresh_token
    with Harness(tmp_path, fake_zalo, knowledge_dir=SPINE_KB) as h:
        fake_zalo.expire_access_token()
        h.text("5510185758261927916", "dang ky tam tru o phuong nao")
        h.wait_sent("5510185758261927916", 1)
        h.wait_idle()
    assert fake_zalo.refresh_count == 1
    text = caplog.text
    assert "event" in text  # something was logged
    for secret in ("fake-access-token", old_refresh, fake_zalo.access_token, fake_zalo.refresh_token,
                   "oa-secret-key", "app-secret", "5510185758261927916", "dang ky tam tru"):
        assert secret not in text


def test_failed_refresh_shows_in_healthz(tmp_path, fake_zalo):
    with Harness(tmp_path, fake_zalo, knowledge_dir=SPINE_KB) as h:
        fake_zalo.expire_access_token()
        fake_zalo.inject("/v4/oa/access_token", Empty())
        h.text("u1", "dang ky tam tru")
        h.wait_idle()
        health = h.client.get("/healthz").get_json()
    assert health["status"] == "degraded"
    assert "empty body" in health["tokens"]["last_error"]
    assert fake_zalo.sent("u1") == []
