"""`followers sync`: existing followers become reachable; those Zalo no longer lists are not messaged."""

from __future__ import annotations

from pathlib import Path

from bot.campaigns.followers import sync_followers
from bot.campaigns.ratelimit import Pacer
from tests.campaignkit import add_users, campaign_config, open_campaigns
from tests.fakezalo import FakeZalo


def test_sync_pages_through_followers_and_marks_departed_ones(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo)
    add_users(c.storage, ["left-while-bot-was-down"], days_ago=1)
    fake_zalo.add_followers([f"f{i:03}" for i in range(120)])
    fake_zalo.set_user("f007", last_interaction_days_ago=2)
    result = sync_followers(c.storage, c.runner.zalo, details=True, pacer=Pacer(0))
    assert (result.listed, result.imported, result.new, result.unfollowed, result.complete) == (120, 120, 120, 1, True)
    pages = [r.data for r in fake_zalo.calls("/v3.0/oa/user/getlist")]
    assert [(p["offset"], p["count"]) for p in pages] == [(0, 50), (50, 50), (100, 50)]
    with c.storage.connect() as db:
        followed = dict(db.execute("SELECT user_id, followed FROM users").fetchall())
        f007 = db.execute("SELECT display_name, last_interaction_at FROM users WHERE user_id = 'f007'").fetchone()
    assert sum(followed.values()) == 120 and followed["left-while-bot-was-down"] == 0
    assert f007[0] == "Người dân f007" and f007[1] is not None
