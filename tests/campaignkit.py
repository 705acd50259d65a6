"""Helpers for the campaign tests: a config on a temp database, wired to the fake Zalo, and citizens."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.campaigns import service
from bot.campaigns.service import Campaigns
from bot.clock import iso, utc_now
from bot.config import CampaignSettings, Config
from bot.storage import Storage
from bot.zalo import SandboxZalo, ZaloClient
from bot.zalo.tokens import TokenManager
from tests.fakezalo import FakeZalo
from tests.harness import make_config

FAST = {"quiet_hours": "", "rate_per_second": 0, "concurrency": 4, "backoff_seconds": 0.01,
        "ambiguous_check_after_seconds": 0.5,
        "max_backoff_seconds": 0.05, "lease_seconds": 3, "tick_seconds": 0.2}


def campaign_config(tmp_path: Path, fake: FakeZalo | None, zalo_timeout: float | None = None, **overrides: Any) -> Config:
    config = make_config(tmp_path, fake)
    settings = dataclasses.replace(CampaignSettings(), **{**FAST, **overrides})
    zalo = dataclasses.replace(config.zalo, timeout_seconds=zalo_timeout) if zalo_timeout else config.zalo
    return dataclasses.replace(config, campaigns=settings, zalo=zalo)


def open_campaigns(config: Config, fake: FakeZalo | None, clock: Callable[[], datetime] = utc_now) -> Campaigns:
    storage = Storage(config.database)
    storage.migrate()
    if fake is None:
        return Campaigns(config, storage, SandboxZalo(), clock)
    tokens = TokenManager(storage, config.secrets, config.zalo)
    tokens.seed_from_environment()
    return Campaigns(config, storage, ZaloClient(config.zalo, tokens), clock)


WORKING_HOURS = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Asia/Ho_Chi_Minh


def pin_cli_clock(monkeypatch: Any, moment: datetime = WORKING_HOURS) -> None:
    """`python -m bot campaigns …` in this test sees `moment` as the time it started (the clock then
    runs on), so quiet hours never depend on when the suite runs."""
    import time

    import bot.cli.campaigns as cli

    started = time.monotonic()

    def clock() -> datetime:
        return moment + timedelta(seconds=time.monotonic() - started)

    monkeypatch.setattr(cli, "open_campaigns", lambda config: service.open_campaigns(config, clock=clock))


def add_users(storage: Storage, ids: list[str], *, followed: bool = True, days_ago: float = 0.0,
              do_not_contact: bool = False, topic: str | None = None, tag: str | None = None) -> None:
    at = iso(utc_now() - timedelta(days=days_ago))
    with storage.transaction() as db:
        for uid in ids:
            db.execute("INSERT OR REPLACE INTO users (user_id, followed, last_interaction_at, do_not_contact)"
                       " VALUES (?, ?, ?, ?)", [uid, int(followed), at, int(do_not_contact)])
            if topic:
                db.execute("INSERT OR IGNORE INTO subscriptions VALUES (?, ?, ?)", [uid, topic, at])
            if tag:
                db.execute("INSERT OR IGNORE INTO user_tags VALUES (?, ?)", [uid, tag])


def consultation(campaign_id: str = "thu", audience: str = "all_followers: true", extra: str = "") -> str:
    return f"""
id: {campaign_id}
title: Chiến dịch thử
audience:
  {audience}
message:
  text: "Thông báo của {{agency}}: gọi {{hotline}} nếu cần."
  buttons:
    - {{title: Cổng Dịch vụ công, url: "https://dichvucong.gov.vn"}}
{extra}"""


def deliveries(storage: Storage, run_id: int) -> dict[str, tuple[str, str | None]]:
    with storage.connect() as db:
        rows = db.execute("SELECT user_id, status, reason FROM campaign_deliveries WHERE run_id = ?", [run_id]).fetchall()
    return {uid: (status, reason) for uid, status, reason in rows}


def sent_counts(fake: FakeZalo) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in fake.sent():
        counts[message.user_id] = counts.get(message.user_id, 0) + 1
    return counts


def wait_for_run(campaigns: Campaigns, run_id: int, timeout: float = 10.0) -> str:
    """A run delivered in the background: wait until it stops sending (stopping the runner
    earlier would interrupt it, leaving rows pending)."""
    import time

    deadline = time.monotonic() + timeout
    status = campaigns.run_status(run_id)[0]
    while status in ("pending", "sending") and time.monotonic() < deadline:
        time.sleep(0.02)
        status = campaigns.run_status(run_id)[0]
    return status
