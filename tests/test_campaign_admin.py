"""Campaigns over the admin API (Bearer BOT_ADMIN_TOKEN) and over the command line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app import create_app
from bot.cli import main
from tests.campaignkit import add_users, campaign_config, consultation, pin_cli_clock, sent_counts, wait_for_run
from tests.fakezalo import FakeZalo
from tests.harness import ADMIN_TOKEN

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def client(tmp_path: Path, fake_zalo: FakeZalo):
    app = create_app(campaign_config(tmp_path, fake_zalo, run_scheduler=False))
    yield app.test_client()
    app.extensions["runtime"].stop()


def test_no_token_or_a_wrong_one_is_refused(client) -> None:
    assert client.get("/admin/api/campaigns").status_code == 401
    assert client.get("/admin/api/campaigns", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/admin/api/campaigns/x/send-now", headers={"Authorization": "Basic " + ADMIN_TOKEN}).status_code == 401


def test_no_admin_api_when_the_token_is_unset(tmp_path: Path) -> None:
    config = campaign_config(tmp_path, None)
    app = create_app(dataclasses.replace(config, secrets=dataclasses.replace(config.secrets, admin_token="")),
                     start_background=False)
    assert app.test_client().get("/admin/api/campaigns", headers=AUTH).status_code == 404


def test_add_dry_run_send_and_report(client, fake_zalo: FakeZalo) -> None:
    runtime = client.application.extensions["runtime"]
    add_users(runtime.storage, ["a", "b"])
    add_users(runtime.storage, ["old"], days_ago=10)
    bad = client.post("/admin/api/campaigns", data="id: x\ntitle: T\naudience: {topic: nope}\nmessage: {text: a}\n",
                      headers=AUTH)
    assert bad.status_code == 400 and bad.get_json()["problems"][0].startswith("request:3: chủ đề `nope`")
    assert client.post("/admin/api/campaigns", data=consultation(), headers=AUTH).status_code == 201
    assert [c["id"] for c in client.get("/admin/api/campaigns", headers=AUTH).get_json()["campaigns"]] == ["thu"]
    plan = client.post("/admin/api/campaigns/thu/send-now?dry_run=1", headers=AUTH).get_json()
    assert plan["counts"] == {"send": 2, "outside_7_day_window": 1} and fake_zalo.sent() == []
    started = client.post("/admin/api/campaigns/thu/send-now", headers=AUTH)
    assert started.status_code == 202
    assert wait_for_run(runtime.campaigns, started.get_json()["run_id"]) == "done"
    report = client.get("/admin/api/campaigns/thu/report", headers=AUTH).get_json()
    assert report["by_status"] == {"sent": 2, "skipped": 1} and sent_counts(fake_zalo) == {"a": 1, "b": 1}
    csv = client.get("/admin/api/campaigns/thu/report?format=csv", headers=AUTH).get_data(as_text=True)
    assert csv.splitlines()[0].startswith("Người nhận (Zalo ID),Trạng thái,Lý do") and "old,bỏ qua,outside_7_day_window" in csv
    csv = client.get("/admin/api/campaigns/thu/report?format=csv&columns=codes", headers=AUTH).get_data(as_text=True)
    assert csv.splitlines()[0].startswith("user_id,status,reason") and "old,skipped,outside_7_day_window" in csv
    assert client.post("/admin/api/campaigns/nope/pause", headers=AUTH).status_code == 404
    assert client.post("/admin/api/campaigns/thu/cancel", headers=AUTH).status_code == 200
    assert client.post("/admin/api/campaigns/thu/send-now", headers=AUTH).status_code == 409


def test_command_line_add_errors_list_and_dry_run(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "cli.sqlite3"))
    for var in ("ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN", "BOT_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    pin_cli_clock(monkeypatch)  # 10:00 local: outside the shipped quiet hours whenever CI runs
    bad = tmp_path / "sai.yaml"
    bad.write_text("title: T\naudience: {all_followers: true}\nschedule: {cron: '0 8 * * 1'}\nmessage: {text: a}\n",
                   encoding="utf-8")
    assert main(["campaigns", "add", str(bad)]) == 1
    assert f"{bad}:3: thứ trong tuần" in capsys.readouterr().err
    good = tmp_path / "tin.yaml"
    good.write_text(consultation("tin"), encoding="utf-8")
    assert main(["campaigns", "add", str(good)]) == 0
    assert main(["campaigns", "list"]) == 0
    assert "tin " in capsys.readouterr().out
    assert main(["campaigns", "send-now", "tin", "--dry-run"]) == 0
    assert "Sẽ gửi: 0 người" in capsys.readouterr().out
    assert main(["campaigns", "send-now", "tin"]) == 0
    assert main(["campaigns", "report", "tin"]) == 0
    assert "Lượt gửi 1 (gửi ngay, đã gửi xong): 0 người" in capsys.readouterr().out
