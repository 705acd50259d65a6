"""Pausing hides the next send; a cancelled campaign can be deleted, with everything recorded about it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from bot.campaigns.service import CampaignActionError
from tests.campaignkit import add_users, campaign_config, consultation, open_campaigns
from tests.fakezalo import FakeZalo
from tests.harness import ADMIN_TOKEN

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _weekly() -> str:
    return consultation(extra="enabled: true\nschedule: {cron: \"0 9 * * tue\"}")


def test_a_paused_campaign_shows_no_next_send(tmp_path: Path) -> None:
    c = open_campaigns(campaign_config(tmp_path, None), None)
    c.add_text(_weekly())
    assert c.list()[0]["next_run"] is not None
    c.pause("thu")
    assert c.list()[0]["next_run"] is None and c.show("thu")["next_run"] is None
    c.resume("thu")
    assert c.list()[0]["next_run"] is not None


def test_only_a_cancelled_campaign_is_deleted_with_its_runs_and_records(tmp_path: Path) -> None:
    c = open_campaigns(campaign_config(tmp_path, None), None)
    add_users(c.storage, ["a", "b"])
    c.add_text(consultation())
    assert c.runner.deliver(c.send_now("thu").run_id) == "done"
    with pytest.raises(CampaignActionError, match="chỉ xóa được chiến dịch đã hủy"):
        c.delete("thu")
    c.cancel("thu")
    assert c.delete("thu") == "Đã xóa chiến dịch `thu` cùng 1 lượt gửi và 2 bản ghi gửi tin."
    with c.storage.connect() as db:
        left = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("campaigns", "campaign_runs", "campaign_deliveries", "campaign_history")]
    assert left == [0, 0, 0, 0] and c.list() == []
    c.add_text(consultation())  # the id is free again: a fresh draft
    assert c.row("thu")["status"] == "draft"


def test_delete_over_the_admin_api(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    app = create_app(campaign_config(tmp_path, fake_zalo, run_scheduler=False))
    client, runtime = app.test_client(), app.extensions["runtime"]
    try:
        client.post("/admin/api/campaigns", data=consultation(), headers=AUTH)
        assert client.delete("/admin/api/campaigns/thu", headers=AUTH).status_code == 409
        client.post("/admin/api/campaigns/thu/cancel", headers=AUTH)
        assert client.delete("/admin/api/campaigns/thu", headers=AUTH).status_code == 200
        assert client.get("/admin/api/campaigns/thu", headers=AUTH).status_code == 404
    finally:
        runtime.stop()
