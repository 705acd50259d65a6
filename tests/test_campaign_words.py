"""Officers read Vietnamese and local time: statuses and reasons in words, times in Asia/Ho_Chi_Minh,
and the admin API's JSON carries Vietnamese as UTF-8 (its fields keep their codes)."""

from __future__ import annotations

import re
from pathlib import Path

from app import create_app
from bot.campaigns import labels
from bot.cli import main
from bot.clock import utc_now
from bot.storage import Storage
from tests.campaignkit import WORKING_HOURS, add_users, campaign_config, consultation, pin_cli_clock
from tests.harness import ADMIN_TOKEN

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CODES = re.compile(r"\b(paused|scheduled|quiet_hours|do_not_contact|outside_7_day_window|not_follower|draft)\b")


def test_command_line_says_statuses_and_reasons_in_vietnamese_with_local_times(
        tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "cli.sqlite3"))
    for var in ("ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN", "BOT_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    pin_cli_clock(monkeypatch)  # 03:00 UTC = 10:00 in Asia/Ho_Chi_Minh
    storage = Storage(str(tmp_path / "cli.sqlite3"))
    storage.migrate()
    add_users(storage, ["a"])
    add_users(storage, ["xoa"], do_not_contact=True)
    add_users(storage, ["cu"], days_ago=(utc_now() - WORKING_HOURS).total_seconds() / 86400 + 30)
    weekly = tmp_path / "tuan.yaml"
    weekly.write_text(consultation("tuan", extra="enabled: true\nschedule: {cron: '0 9 * * wed'}"), encoding="utf-8")
    assert main(["campaigns", "add", str(weekly)]) == 0
    assert main(["campaigns", "send-now", "tuan", "--dry-run"]) == 0
    assert main(["campaigns", "pause", "tuan"]) == 0
    assert main(["campaigns", "list"]) == 0
    assert main(["campaigns", "send-now", "tuan"]) == 1
    assert main(["campaigns", "show", "tuan"]) == 0
    captured = capsys.readouterr()
    out, err = captured.out, captured.err
    assert "Bỏ qua (đã yêu cầu xóa dữ liệu, không liên hệ): 1" in out
    assert "Bỏ qua (quá 7 ngày không tương tác): 1" in out
    assert "tạm dừng" in out and "Trạng thái: tạm dừng" in out and "lần gửi tới: —" in out
    assert "chiến dịch `tuan` tạm dừng; dùng `resume` trước" in err
    assert re.search(r"10:00 10/03/2026 +đã thêm", out), out  # history in local time
    assert not CODES.search(out + err), CODES.search(out + err)


def test_every_code_the_service_writes_has_a_vietnamese_label() -> None:
    for code in ("draft", "scheduled", "running", "paused", "done", "cancelled", "failed", "missed", "waiting"):
        assert labels.status(code) != code
    for code in ("quiet_hours", "do_not_contact", "outside_7_day_window", "zalo_night_rule", "beyond_grace"):
        assert labels.reason(code) != code
    assert labels.reason("zalo_-248: Violates our platform standards").startswith("lỗi Zalo -248")


def test_admin_json_is_vietnamese_utf8_not_escapes(tmp_path: Path) -> None:
    app = create_app(campaign_config(tmp_path, None, run_scheduler=False))
    client, runtime = app.test_client(), app.extensions["runtime"]
    try:
        client.post("/admin/api/campaigns", data=consultation(), headers=AUTH)
        answer = client.post("/admin/api/campaigns/thu/pause", headers=AUTH)
        body = answer.get_data()
        assert "Đã tạm dừng chiến dịch".encode() in body and b"\\u" not in body
        campaign = answer.get_json()["campaign"]
        assert (campaign["status"], campaign["status_label"]) == ("paused", "tạm dừng")
    finally:
        runtime.stop()


def test_campaign_report_says_trigger_status_and_reasons_in_vietnamese(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "cli.sqlite3"))
    for var in ("ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN", "BOT_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    pin_cli_clock(monkeypatch)
    storage = Storage(str(tmp_path / "cli.sqlite3"))
    storage.migrate()
    add_users(storage, ["a"])
    add_users(storage, ["xoa"], do_not_contact=True)
    path = tmp_path / "mot.yaml"
    path.write_text(consultation("mot"), encoding="utf-8")
    assert main(["campaigns", "add", str(path)]) == 0
    assert main(["campaigns", "send-now", "mot"]) == 0
    capsys.readouterr()
    assert main(["campaigns", "report", "mot"]) == 0
    out = capsys.readouterr().out
    assert "(gửi ngay, đã gửi xong)" in out, out
    assert "đã yêu cầu xóa dữ liệu, không liên hệ" in out, out
    assert not re.search(r"\b(manual|done|sandbox|skipped|do_not_contact)\b", out), out
