"""`followers sync`: existing followers become reachable; those Zalo no longer lists are not messaged."""

from __future__ import annotations

from pathlib import Path

from bot.campaigns import followers
from bot.campaigns.followers import sync_followers
from bot.campaigns.ratelimit import Pacer
from bot.cli import main
from bot.cli.followers import describe
from bot.storage import Storage
from tests.campaignkit import add_users, campaign_config, open_campaigns
from tests.fakezalo import Delay, FakeZalo, Http


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


def test_sandbox_sync_changes_nobody_and_says_there_is_nothing_to_sync(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "cli.sqlite3"))
    for var in ("ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN", "BOT_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    storage = Storage(str(tmp_path / "cli.sqlite3"))
    storage.migrate()
    add_users(storage, ["a", "b"])
    assert main(["followers", "sync"]) == 0
    out = capsys.readouterr().out
    assert "không có gì để đồng bộ" in out and "bỏ quan tâm" not in out.replace("không thay đổi", "")
    with storage.connect() as db:
        assert db.execute("SELECT count(*) FROM users WHERE followed = 1").fetchone()[0] == 2


def test_a_listing_cut_short_by_an_error_imports_what_it_read_and_unfollows_nobody(
        tmp_path: Path, fake_zalo: FakeZalo, capsys) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo)
    add_users(c.storage, ["known-follower"])
    fake_zalo.add_followers([f"f{i:03}" for i in range(120)])
    fake_zalo.inject("/v3.0/oa/user/getlist", Delay(0))  # the first page answers normally
    fake_zalo.inject("/v3.0/oa/user/getlist", *[Http(502, "Bad gateway")] * 3)  # every retry of page 2 fails
    result = sync_followers(c.storage, c.runner.zalo, pacer=Pacer(0))
    assert (result.imported, result.unfollowed, result.complete, result.stopped_by) == (50, 0, False, "zalo_error")
    with c.storage.connect() as db:
        assert db.execute("SELECT followed FROM users WHERE user_id = 'known-follower'").fetchone()[0] == 1
    lines = describe(result)
    assert any("chưa đọc hết" in line for line in lines) and any("khoảng 70 người" in line for line in lines)


def test_the_offset_limit_leaves_unlisted_followers_alone(tmp_path: Path, fake_zalo: FakeZalo, monkeypatch) -> None:
    monkeypatch.setattr(followers, "MAX_OFFSET", 50)  # Zalo's ~10,000 limit, scaled down to three pages
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo)
    add_users(c.storage, ["beyond-the-limit"])
    fake_zalo.add_followers([f"f{i:03}" for i in range(120)])
    result = sync_followers(c.storage, c.runner.zalo, pacer=Pacer(0))
    assert (result.imported, result.unfollowed, result.complete, result.stopped_by) == (100, 0, False, "offset_limit")
    with c.storage.connect() as db:
        assert db.execute("SELECT followed FROM users WHERE user_id = 'beyond-the-limit'").fetchone()[0] == 1
