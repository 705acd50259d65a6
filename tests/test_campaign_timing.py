"""`add --check` and `add` apply the same rules, warn about times in the quiet hours or Zalo's night
ban, and say when the message will really go out."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main
from tests.campaignkit import consultation, pin_cli_clock
from tests.harness import REPO

TEMPLATE = ("id: mau\ntitle: Mẫu\nchannel: template\naudience: {all_followers: true}\nenabled: true\n"
            "template: {id: '123456', data: {ten: Lan}}\nschedule: {at: '2026-03-10 23:00'}\n")


def _cli(tmp_path: Path, monkeypatch, config: str = "") -> None:
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "cli.sqlite3"))
    for var in ("ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN", "BOT_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    if config:
        (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
        monkeypatch.setenv("BOT_CONFIG", str(tmp_path / "config.yaml"))
    pin_cli_clock(monkeypatch)  # Tuesday 10/03/2026 10:00 local


def test_check_and_add_refuse_the_same_past_time(tmp_path: Path, monkeypatch, capsys) -> None:
    _cli(tmp_path, monkeypatch)
    past = tmp_path / "cu.yaml"
    past.write_text(consultation("cu", extra="enabled: true\nschedule: {at: '2026-03-09 09:00'}"), encoding="utf-8")
    assert main(["campaigns", "add", "--check", str(past)]) == 1
    checked = capsys.readouterr()
    assert main(["campaigns", "add", str(past)]) == 1
    added = capsys.readouterr()
    assert "09:00 đã qua" in checked.err and checked.err == added.err and "hợp lệ" not in checked.out


def test_a_time_in_the_quiet_hours_is_flagged_with_the_real_send_time(tmp_path: Path, monkeypatch, capsys) -> None:
    _cli(tmp_path, monkeypatch)
    late = tmp_path / "toi.yaml"
    late.write_text(consultation("toi", extra="enabled: true\nschedule: {at: '2026-03-10 22:30'}"), encoding="utf-8")
    assert main(["campaigns", "add", "--check", str(late)]) == 0
    out = capsys.readouterr().out
    assert "toi: hợp lệ; lần gửi tới theo lịch 22:30 10/03/2026, thực sự gửi lúc 07:00 11/03/2026" in out
    assert "Cảnh báo:" in out and "giờ không gửi tin (21:00–07:00" in out
    assert main(["campaigns", "add", str(late)]) == 0
    out = capsys.readouterr().out
    assert "toi: đã thêm (đã lên lịch); lần gửi tới theo lịch 22:30 10/03/2026, thực sự gửi lúc 07:00 11/03/2026" in out
    assert main(["campaigns", "list"]) == 0
    assert "gửi lúc: 2026-03-11 07:00" in capsys.readouterr().out


def test_zalos_night_ban_applies_to_templates_even_without_quiet_hours(tmp_path: Path, monkeypatch, capsys) -> None:
    _cli(tmp_path, monkeypatch, config="campaigns:\n  quiet_hours: ''\n")
    night = tmp_path / "mau.yaml"
    night.write_text(TEMPLATE, encoding="utf-8")
    assert main(["campaigns", "add", "--check", str(night)]) == 0
    out = capsys.readouterr().out
    assert "thực sự gửi lúc 06:05 11/03/2026" in out and "giờ cấm gửi ban đêm của Zalo (22:00–06:00)" in out
    assert "quiet_hours" not in out


def test_placeholders_still_unset_in_config_are_flagged_before_a_broadcast(tmp_path: Path, monkeypatch, capsys) -> None:
    _cli(tmp_path, monkeypatch)  # the shipped config: agency name and hotline not filled in yet
    path = tmp_path / "tin.yaml"
    path.write_text(consultation("tin", extra="schedule: {at: '2026-03-11 09:00'}"), encoding="utf-8")
    assert main(["campaigns", "add", "--check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Cảnh báo:" in out and "`{hotline}`" in out and "agency.hotline" in out and "'1900 0000'" in out, out
    assert "`{agency}`" in out and "agency.name" in out
    _cli(tmp_path, monkeypatch, config="agency:\n  name: UBND tỉnh Thử\n  hotline: '0236 3822 123'\n")
    assert main(["campaigns", "add", "--check", str(path)]) == 0
    assert "Cảnh báo:" not in capsys.readouterr().out


def test_the_shipped_sample_campaigns_can_be_added_as_drafts(tmp_path: Path, monkeypatch, capsys) -> None:
    """The hint of an empty `campaigns list` is `campaigns add campaigns/`: a draft whose schedule
    has ended is a warning (as a past one-off draft is), not an error refusing the whole folder."""
    _cli(tmp_path, monkeypatch)
    ended = tmp_path / "het.yaml"
    ended.write_text(consultation("het", extra="schedule: {cron: '0 9 * * tue', end: '2025-12-31'}"), encoding="utf-8")
    assert main(["campaigns", "add", "--check", str(ended)]) == 0
    assert "không còn lần gửi nào" in capsys.readouterr().out
    assert main(["campaigns", "add", str(REPO / "campaigns")]) == 0
    ended.write_text(consultation("het", extra="enabled: true\nschedule: {cron: '0 9 * * tue', end: '2025-12-31'}"),
                     encoding="utf-8")
    assert main(["campaigns", "add", str(ended)]) == 1  # enabled, it could never run: refused
