"""A one-off campaign reaches each person once: send-now replaces its scheduled time, and sending it
again takes an explicit `--again` (CLI) or `?again=1` (admin API) and says who already got it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app import create_app
from bot.campaigns.runs import catch_up
from bot.campaigns.service import CampaignActionError
from bot.cli import main
from bot.clock import utc_now
from bot.storage import Storage
from tests.campaignkit import (
    WORKING_HOURS,
    add_users,
    campaign_config,
    consultation,
    open_campaigns,
    pin_cli_clock,
    sent_counts,
    wait_for_run,
)
from tests.fakezalo import FakeZalo
from tests.harness import ADMIN_TOKEN

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _once(days: float = 1) -> tuple[str, datetime]:
    at = (datetime.now(TZ) + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
    return consultation(extra=f"enabled: true\nschedule: {{at: \"{at:%Y-%m-%d %H:%M}\"}}"), at


def test_send_now_replaces_the_scheduled_time_and_again_is_explicit(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo)
    add_users(c.storage, ["a", "b"])
    text, at = _once()
    c.add_text(text)
    assert c.summary(c.row("thu"))["status"] == "scheduled"
    assert c.runner.deliver(c.send_now("thu").run_id) == "done"
    assert c.summary(c.row("thu"))["next_run"] is None and c.row("thu")["status"] == "done"
    assert catch_up(c.store, "thu", at.astimezone(TZ) + timedelta(minutes=1), c.placeholders) is None
    assert sent_counts(fake_zalo) == {"a": 1, "b": 1}  # the scheduled time sent nothing more

    with pytest.raises(CampaignActionError, match="đã tới 2 người.*--again"):
        c.send_now("thu")
    add_users(c.storage, ["c"])
    unfinished = c.send_now("thu", again=True)
    deferred = c.send_now("thu", again=True)  # asked again while that run has not been delivered yet
    assert (deferred.run_id, deferred.resumed, deferred.again) == (unfinished.run_id, True, False)
    assert "chưa gửi lại" in deferred.describe()
    again = unfinished
    assert (again.again, again.already_received) == (True, 2)
    assert "2 người trong đối tượng đã nhận" in again.describe()
    assert c.runner.deliver(again.run_id) == "done"
    assert sent_counts(fake_zalo) == {"a": 2, "b": 2, "c": 1}


def test_admin_api_applies_the_same_rule(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    app = create_app(campaign_config(tmp_path, fake_zalo, run_scheduler=False))
    client, runtime = app.test_client(), app.extensions["runtime"]
    try:
        add_users(runtime.storage, ["a"])
        assert client.post("/admin/api/campaigns", data=consultation(), headers=AUTH).status_code == 201
        first = client.post("/admin/api/campaigns/thu/send-now", headers=AUTH).get_json()
        assert wait_for_run(runtime.campaigns, first["run_id"]) == "done"
        refused = client.post("/admin/api/campaigns/thu/send-now", headers=AUTH)
        assert refused.status_code == 409 and "again=1" in refused.get_json()["error"]
        again = client.post("/admin/api/campaigns/thu/send-now?again=1", headers=AUTH)
        assert again.status_code == 202 and again.get_json()["already_received"] == 1
        assert wait_for_run(runtime.campaigns, again.get_json()["run_id"]) == "done"
        assert sent_counts(fake_zalo) == {"a": 2}
    finally:
        runtime.stop()


def test_command_line_send_again_says_how_many_already_received_it(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "cli.sqlite3"))
    for var in ("ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN", "BOT_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    pin_cli_clock(monkeypatch)
    storage = Storage(str(tmp_path / "cli.sqlite3"))
    storage.migrate()
    add_users(storage, ["a", "b"], days_ago=(utc_now() - WORKING_HOURS).total_seconds() / 86400)
    once = tmp_path / "mot-lan.yaml"
    once.write_text(consultation("mot-lan", extra="enabled: true\nschedule: {at: '2026-03-12 09:00'}"), encoding="utf-8")
    assert main(["campaigns", "add", str(once)]) == 0
    assert main(["campaigns", "send-now", "mot-lan"]) == 0
    assert main(["campaigns", "send-now", "mot-lan"]) == 1
    assert "đã tới 2 người" in capsys.readouterr().err
    assert main(["campaigns", "send-now", "mot-lan", "--again"]) == 0
    assert "2 người trong đối tượng đã nhận chiến dịch này trước đó" in capsys.readouterr().out
