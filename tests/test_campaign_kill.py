"""A real `python -m bot campaigns send-now` process killed with SIGKILL mid-broadcast, then run again:
the messages in flight at the kill are looked up in the OA's conversation, so none stays ambiguous."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.config import load_config
from bot.storage import Storage
from tests.campaignkit import add_users, consultation, deliveries, open_campaigns, sent_counts
from tests.fakezalo import FakeZalo
from tests.harness import APP_ID, REPO

RECIPIENTS = 200
CONCURRENCY = 4


def _environment(tmp_path: Path, fake: FakeZalo) -> dict[str, str]:
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {tmp_path / 'bot.sqlite3'}\ncampaigns:\n  quiet_hours: ''\n"
                      f"  rate_per_second: 0\n  concurrency: {CONCURRENCY}\n  ambiguous_check_after_seconds: 1\n",
                      encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "BOT_"))}
    return {**env, "BOT_CONFIG": str(config), "ZALO_API_BASE": fake.base_url, "ZALO_OAUTH_BASE": fake.base_url,
            "ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": "app-secret", "ZALO_ACCESS_TOKEN": fake.access_token or "",
            "ZALO_REFRESH_TOKEN": fake.refresh_token, "PYTHONPATH": str(REPO)}


def _send_now(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bot", "campaigns", "send-now", "thu"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_killed_mid_broadcast_then_restarted_everyone_gets_it_exactly_once(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    env = _environment(tmp_path, fake_zalo)
    config = load_config(env["BOT_CONFIG"], env)
    users = [f"citizen-{i:03}" for i in range(RECIPIENTS)]
    campaigns = open_campaigns(config, fake_zalo)
    add_users(campaigns.storage, users)
    campaigns.add_text(consultation())
    fake_zalo.latency = 0.05

    first = _send_now(env)
    deadline = time.monotonic() + 20
    while not _killable(fake_zalo) and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.001)
    first.send_signal(signal.SIGKILL)
    first.wait()
    time.sleep(0.1)  # requests the killed process had in flight reach the fake's handlers
    sent_before_restart = len(fake_zalo.sent())
    assert first.returncode == -signal.SIGKILL and RECIPIENTS // 3 <= sent_before_restart < RECIPIENTS

    second = _send_now(env)
    output, _ = second.communicate(timeout=60)
    assert second.returncode == 0, output
    assert "đã gửi xong" in output

    states = deliveries(Storage(config.database), 1)
    counts = sent_counts(fake_zalo)
    settled = {uid for uid, (status, reason) in states.items() if reason == "found_in_conversation"}
    assert max(counts.values()) == 1  # nobody twice
    assert [uid for uid, (status, _) in states.items() if status != "sent"] == []  # 0 ambiguous left
    assert len(settled) == CONCURRENCY  # the requests in flight at the kill: found in the conversation
    assert set(counts) == set(users)  # everyone exactly once


def _killable(fake: FakeZalo) -> bool:
    """A third delivered and every sending thread waiting on Zalo: the kill lands mid-request.

    (A kill in the microseconds between recording `sending` and the request leaving leaves a row
    Zalo never saw: the conversation check then finds it absent and it is resent, once.)"""
    in_flight = len(fake.calls("/v3.0/oa/message/cs")) - len(fake.sent())
    return len(fake.sent()) >= RECIPIENTS // 3 and in_flight == CONCURRENCY
