"""The scheduler: one leader among web workers, schedules surviving restarts, the misfire policy."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app import create_app
from bot.campaigns.schedule import make_trigger
from bot.clock import iso, utc_now
from bot.config import Config
from tests.campaignkit import add_users, campaign_config, consultation, sent_counts
from tests.fakezalo import FakeZalo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _at(seconds: float) -> str:
    return (datetime.now(TZ) + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def _wait(condition: Any, timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _runs(runtime: Any, campaign_id: str = "thu") -> list[dict[str, Any]]:
    return runtime.campaigns.store.runs(campaign_id)


def _app(config: Config) -> Any:
    return create_app(config).extensions["runtime"]


def test_two_web_workers_one_scheduler_and_the_message_goes_out_once(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    config = campaign_config(tmp_path, fake_zalo)
    workers = [_app(config), _app(config)]
    try:
        _wait(lambda: sum(w.scheduler.leading for w in workers) == 1)
        add_users(workers[0].storage, ["a", "b", "c"])
        workers[1].campaigns.add_text(consultation(extra=f"enabled: true\nschedule: {{at: '{_at(1.0)}'}}"))
        _wait(lambda: len(fake_zalo.sent()) == 3 and _runs(workers[0])[0]["status"] == "done")
        time.sleep(0.5)  # a second scheduler would have fired by now
        assert sent_counts(fake_zalo) == {"a": 1, "b": 1, "c": 1} and len(_runs(workers[0])) == 1
        leader = next(w for w in workers if w.scheduler.leading)
        follower = next(w for w in workers if w is not leader)
        leader.stop()
        _wait(lambda: follower.scheduler.leading)
    finally:
        for worker in workers:
            worker.stop()


def test_a_one_off_schedule_due_during_a_restart_runs_when_the_service_is_back(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    config = campaign_config(tmp_path, fake_zalo)
    first = _app(config)
    add_users(first.storage, ["a"])
    first.campaigns.add_text(consultation(extra=f"enabled: true\nschedule: {{at: '{_at(1.0)}'}}"))
    first.stop()
    time.sleep(1.5)  # due while nothing runs (APScheduler's 1-second default grace would drop it)
    second = _app(config)
    try:
        _wait(lambda: _runs(second) and _runs(second)[0]["status"] == "done")
        assert sent_counts(fake_zalo) == {"a": 1} and _runs(second)[0]["trigger"] == "schedule"
    finally:
        second.stop()


def test_misfire_policy_runs_the_latest_within_grace_and_records_the_rest(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    if datetime.now().second > 45:  # the every-minute campaign must not fire again during the test
        time.sleep(61 - datetime.now().second)
    config = campaign_config(tmp_path, fake_zalo, run_scheduler=False, misfire_grace_minutes=10)
    setup = _app(config)
    add_users(setup.storage, ["a"])
    setup.campaigns.add_text(consultation("moi-phut", extra="enabled: true\nschedule: {cron: '* * * * *'}"))
    half_a_day_ago = datetime.now(TZ) - timedelta(hours=12)
    daily = f"enabled: true\nschedule: {{cron: '0 {half_a_day_ago.hour} * * *'}}"
    setup.campaigns.add_text(consultation("hang-ngay", extra=daily))
    every_minute_trigger = make_trigger(setup.campaigns.store.campaign(setup.campaigns.row("moi-phut")).schedule, TZ)
    down_since = every_minute_trigger.get_next_fire_time(None, utc_now() - timedelta(minutes=5, seconds=30))
    with setup.storage.transaction() as db:  # the service was down: the stored next times are in the past
        db.execute("UPDATE campaigns SET next_due_at = ? WHERE id = 'moi-phut'", [iso(down_since)])
        due = half_a_day_ago.replace(minute=0, second=0, microsecond=0)
        db.execute("UPDATE campaigns SET next_due_at = ? WHERE id = 'hang-ngay'", [iso(due)])
    setup.stop()
    runtime = _app(campaign_config(tmp_path, fake_zalo, misfire_grace_minutes=10))
    try:
        _wait(lambda: any(r["status"] == "done" for r in _runs(runtime, "moi-phut")))
        every_minute = _runs(runtime, "moi-phut")
        due, moment = 0, down_since
        while moment <= utc_now():
            due, moment = due + 1, every_minute_trigger.get_next_fire_time(moment, moment)
        missed = [r for r in every_minute if r["status"] == "missed"]
        assert len(missed) == due - 1 and {r["reason"] for r in missed} == {"superseded_by_later_run"}
        [daily] = _runs(runtime, "hang-ngay")
        assert (daily["status"], daily["reason"]) == ("missed", "beyond_grace")
        assert runtime.campaigns.row("hang-ngay")["next_due_at"] > iso(utc_now())
        assert sent_counts(fake_zalo) == {"a": 1}
    finally:
        runtime.stop()
