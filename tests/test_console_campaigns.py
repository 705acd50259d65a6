"""Campaign pages: the form writes a campaign file the CLI reads the same way, errors stay next to
their field with what was typed, concurrent edits are refused, actions and reports work end to end
against the fake Zalo."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.campaigns.model import Schedule
from bot.campaigns.schedule import make_trigger, next_fire
from bot.cli import main
from bot.config import CampaignSettings
from console.campaign_form import CampaignForm, from_spec, time_warnings, to_spec
from tests.campaignkit import FAST, add_users
from tests.consolekit import console_harness, csrf, login, post, visible

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FORM = {"id": "tin-thang", "title": "Tin cải cách hành chính tháng", "audience_kind": "topic", "topics": ["cchc"],
        "text": "Bản tin của {agency}.\nGọi {hotline}.", "schedule_kind": "weekly", "weekday": "mon",
        "clock": "08:00", "enabled": "1", "button_0_title": "Cổng Dịch vụ công", "button_0_kind": "url",
        "button_0_value": "https://dichvucong.gov.vn"}


@pytest.fixture
def h(tmp_path, fake_zalo):
    harness = console_harness(tmp_path, fake_zalo, campaigns=dataclasses.replace(CampaignSettings(), **FAST))
    login(harness.client, "truyenthong")
    yield harness
    harness.runtime.stop()


def create(h, **changes):
    return post(h.client, "/console/campaigns/new", {**FORM, **changes}, page="/console/campaigns/new")


def edit_form(client, campaign_id):
    html = client.get(f"/console/campaigns/{campaign_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="([^"]*)"', html).group(1)
    return html, version


def test_created_campaign_is_a_file_the_cli_reads_the_same_way(h, tmp_path, monkeypatch, capsys):
    response = create(h)
    assert response.status_code == 302 and response.headers["Location"] == "/console/campaigns/tin-thang"
    path = tmp_path / "campaigns" / "tin-thang.yaml"
    text = path.read_text(encoding="utf-8")
    assert "topic: cchc" in text and "Bản tin của {agency}." in text
    row = h.runtime.campaigns.store.get("tin-thang")
    assert row["status"] == "scheduled" and row["source"] == str(path)
    monkeypatch.setenv("BOT_DATABASE", h.config.database)
    assert main(["campaigns", "add", "--check", str(path)]) == 0
    assert "tin-thang: hợp lệ" in capsys.readouterr().out
    listing = h.client.get("/console/campaigns/").get_data(as_text=True)
    assert "Đã lên lịch" in listing and "hằng tuần thứ Hai 08:00" in listing and "thứ Hai, " in listing
    assert "cron" not in visible(listing) and "scheduled" not in visible(listing)
    detail = h.client.get("/console/campaigns/tin-thang").get_data(as_text=True)
    assert "Bản tin của Ủy ban nhân dân tỉnh" in detail  # preview with placeholders filled
    assert len(h.runtime.campaigns.store.history("tin-thang")) == 1


def test_form_errors_stay_next_to_the_field_and_keep_what_was_typed(h, tmp_path):
    response = create(h, title="", tags="", audience_kind="tag", text="Nội dung đã gõ rất dài")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nội dung đã gõ rất dài" in html and 'value="tin-thang"' in html
    title_error = re.search(r'name="title"[^>]*></label>\s*<p class="field-error"[^>]*>([^<]+)', html)
    assert title_error and "thiếu `title`" in title_error.group(1)
    assert re.search(r'Người có nhãn.*?field-error[^>]*>[^<]*`tag` không được để trống', html, re.S)
    assert not (tmp_path / "campaigns" / "tin-thang.yaml").exists()
    assert h.runtime.campaigns.store.get("tin-thang") is None
    bad_id = create(h, id="Tin Tháng")
    assert bad_id.status_code == 400 and "chữ thường không dấu" in bad_id.get_data(as_text=True)


def test_a_time_in_the_past_is_refused_and_nothing_is_written(h, tmp_path):
    response = create(h, schedule_kind="once", date="2020-01-06", clock="08:00")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "đã qua" in html
    assert not (tmp_path / "campaigns" / "tin-thang.yaml").exists()


def test_two_officers_editing_the_same_campaign_do_not_overwrite_each_other(h, tmp_path):
    create(h)
    other = h.app.test_client()
    login(other, "quantri")
    _, mine = edit_form(h.client, "tin-thang")
    _, theirs = edit_form(other, "tin-thang")
    first = post(other, "/console/campaigns/tin-thang/edit", {**FORM, "title": "Bản của người thứ hai", "version": theirs},
                 page="/console/campaigns/tin-thang/edit")
    assert first.status_code == 302
    second = post(h.client, "/console/campaigns/tin-thang/edit", {**FORM, "title": "Bản của tôi", "version": mine},
                  page="/console/campaigns/tin-thang/edit")
    html = second.get_data(as_text=True)
    assert second.status_code == 409 and "vừa được người khác sửa" in html and 'value="Bản của tôi"' in html
    assert "Bản của người thứ hai" in (tmp_path / "campaigns" / "tin-thang.yaml").read_text(encoding="utf-8")


def test_edit_form_shows_the_file_as_edited_by_hand(h, tmp_path):
    create(h)
    path = tmp_path / "campaigns" / "tin-thang.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Bản tin của", "Bản tin sửa tay của"), encoding="utf-8")
    html, _ = edit_form(h.client, "tin-thang")
    assert "Bản tin sửa tay của {agency}." in html


def test_an_explicit_list_of_citizens_written_in_the_file_survives_an_edit(h, tmp_path):
    create(h)
    path = tmp_path / "campaigns" / "tin-thang.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  topic: cchc", '  users: ["u1", "u2"]'), encoding="utf-8")
    html, version = edit_form(h.client, "tin-thang")
    assert "Danh sách 2 người" in html
    audience = {"audience_kind": "users", "audience_users": re.search(r'name="audience_users" value="([^"]*)"', html).group(1)}
    saved = post(h.client, "/console/campaigns/tin-thang/edit", {**FORM, **audience, "title": "Đổi tên", "version": version},
                 page="/console/campaigns/tin-thang/edit")
    assert saved.status_code == 302
    assert 'users:\n  - u1\n  - u2' in path.read_text(encoding="utf-8")
    assert "danh sách 2 người trong tệp" in h.client.get("/console/campaigns/").get_data(as_text=True)


def test_editing_keeps_the_schedule_in_words_and_saves_changes(h, tmp_path):
    create(h)
    html, version = edit_form(h.client, "tin-thang")
    assert '<option value="weekly" selected' in html and 'value="08:00"' in html
    saved = post(h.client, "/console/campaigns/tin-thang/edit",
                 {**FORM, "schedule_kind": "monthly", "clock": "09:30", "version": version},
                 page="/console/campaigns/tin-thang/edit")
    assert saved.status_code == 302
    detail = h.client.get("/console/campaigns/tin-thang").get_data(as_text=True)
    assert "ngày làm việc đầu tiên mỗi tháng, 09:30" in detail


def test_first_working_day_and_quarter_translate_to_schedules_that_fire_on_those_days():
    monthly = to_spec(CampaignForm(id="x", schedule_kind="monthly", clock="08:00"))["schedule"]["cron"]
    trigger = make_trigger(Schedule("cron", cron=monthly), TZ)
    fires, moment = [], datetime(2026, 7, 1, tzinfo=TZ)
    for _ in range(3):
        moment = next_fire(trigger, moment)
        fires.append(moment.strftime("%d/%m %a %H:%M"))
        moment = moment.replace(hour=12)
    assert fires == ["01/07 Wed 08:00", "03/08 Mon 08:00", "01/09 Tue 08:00"]  # 1/8/2026 is a Saturday
    quarterly = to_spec(CampaignForm(id="x", schedule_kind="quarterly", quarter_day="5", clock="07:45"))["schedule"]
    after = next_fire(make_trigger(Schedule("cron", cron=quarterly["cron"]), TZ), datetime(2026, 5, 1, tzinfo=TZ))
    assert after == datetime(2026, 7, 5, 7, 45, tzinfo=TZ)
    for kind in ("weekly", "monthly", "quarterly", "once"):
        form = CampaignForm(id="x", schedule_kind=kind, clock="06:15", weekday="fri", quarter_day="3", date="2030-01-02")
        again = from_spec(to_spec(form))
        assert (again.schedule_kind, again.clock) == (kind, "06:15")


def test_quiet_hours_and_night_rule_warn_at_once(tmp_path):
    harness = console_harness(tmp_path, None)  # shipped quiet hours 21:00-07:00
    try:
        login(harness.client, "truyenthong")
        form_page = harness.client.get("/console/campaigns/new").get_data(as_text=True)
        assert 'data-quiet="21:00-07:00"' in form_page and 'id="time-warning"' in form_page
        saved = post(harness.client, "/console/campaigns/new", {**FORM, "clock": "22:30", "enabled": ""},
                     page="/console/campaigns/new")
        assert saved.status_code == 302
        html = harness.client.get("/console/campaigns/tin-thang/edit").get_data(as_text=True)
        assert "22:30 nằm trong giờ yên lặng (21:00–07:00)" in html
    finally:
        harness.runtime.stop()
    article = CampaignForm(channel="article", schedule_kind="weekly", clock="05:30")
    assert any("đêm Zalo" in w for w in time_warnings(article, ""))
    assert time_warnings(CampaignForm(schedule_kind="weekly", clock="09:00"), "21:00-07:00") == []


def test_live_audience_count(h):
    add_users(h.runtime.storage, ["u1", "u2"], topic="cchc")
    add_users(h.runtime.storage, ["u3"], topic="cchc", days_ago=10)
    add_users(h.runtime.storage, ["u4"], followed=False, topic="cchc")
    counts = h.client.get("/console/campaigns/audience-count?kind=topic&values=cchc").get_json()
    assert counts["send"] == 2 and counts["total"] == 4
    assert counts["skipped"] == {"quá 7 ngày chưa tương tác": 1, "không còn quan tâm OA": 1}
    assert h.client.get("/console/campaigns/audience-count?kind=all_followers").get_json()["send"] == 2


def test_pause_resume_cancel_send_now_and_report(h, fake_zalo):
    add_users(h.runtime.storage, ["u1", "u2"], topic="cchc")
    add_users(h.runtime.storage, ["u3"], topic="cchc", days_ago=10)
    create(h, enabled="")
    page = "/console/campaigns/tin-thang"
    assert post(h.client, f"{page}/pause", page=page).status_code == 302
    assert h.runtime.campaigns.store.get("tin-thang")["status"] == "paused"
    assert "Tạm dừng" in h.client.get(page).get_data(as_text=True)
    refused = post(h.client, f"{page}/send-now", page=page)
    assert refused.status_code == 302
    assert "dùng `resume` trước" in h.client.get(page).get_data(as_text=True)
    post(h.client, f"{page}/resume", page=page)
    confirm = h.client.get(f"{page}/send-now").get_data(as_text=True)
    assert re.search(r'id="dry-run-send">2<', confirm) and "quá 7 ngày chưa tương tác: 1" in confirm
    assert not fake_zalo.sent()
    post(h.client, f"{page}/send-now", page=f"{page}/send-now")
    h.wait_sent("u2", 1)
    h.wait_sent("u1", 1)
    for _ in range(100):
        runs = h.runtime.campaigns.store.runs("tin-thang")
        if runs and runs[0]["status"] == "done":
            break
        __import__("time").sleep(0.05)
    report = h.client.get(page).get_data(as_text=True)
    assert "Đã gửi xong" in report and "quá 7 ngày chưa tương tác — 1" in report
    run_id = h.runtime.campaigns.store.runs("tin-thang")[0]["id"]
    csv = h.client.get(f"{page}/report.csv?run={run_id}")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Người nhận (Zalo ID),Trạng thái") and len(lines) == 4
    post(h.client, f"{page}/cancel", page=page)
    assert h.runtime.campaigns.store.get("tin-thang")["status"] == "cancelled"
    trail = [row["action"] for row in __import__("bot.accounts", fromlist=["x"]).audit_log(h.runtime.storage)]
    assert {"campaigns.add", "campaigns.pause", "campaigns.resume", "campaigns.send-now", "campaigns.cancel"} <= set(trail)


def test_actions_need_the_csrf_token(h):
    create(h)
    token = csrf(h.client.get("/console/campaigns/tin-thang").get_data(as_text=True))
    assert h.client.post("/console/campaigns/tin-thang/pause").status_code == 400
    assert h.client.post("/console/campaigns/tin-thang/pause", data={"csrf_token": token + "x"}).status_code == 400
    assert h.runtime.campaigns.store.get("tin-thang")["status"] == "scheduled"
