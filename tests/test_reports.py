"""The periodic report and campaign engagement, built from a realistic period: signed webhook events
through the real app, replies and a campaign through the fake Zalo, Zalo's receipts, then a purge."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.clock import utc_now
from bot.config import CampaignSettings, ConversationSettings, ReportSettings
from bot.conversations import tickets
from bot.conversations.erasure import erase
from bot.conversations.retention import purge
from bot.events import parse_event
from bot.reports import rollup, survey
from bot.reports.build import build_report
from bot.reports.html import render_html
from bot.reports.labels import period_name
from bot.reports.period import PeriodError, local_today, parse_period
from bot.reports.xlsx import write_xlsx
from tests.campaignkit import FAST, wait_for_run
from tests.conv_support import Chat, rows, write_kb
from tests.dispatchkit import Kit
from tests.harness import ADMIN_TOKEN, APP_ID, OA_ID, Harness, echo_event, follow_event, now_ms, text_event

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CAMPAIGN = """
id: tin-thang
title: Tin tháng 12
audience:
  all_followers: true
message:
  text: "Thông báo: tuần này Trung tâm làm việc cả thứ Bảy."
  buttons:
    - {title: Xem menu, query: "#menu"}
"""


def receipt(name: str, citizen: str, msg_ids: object, timestamp: str | None = None) -> dict:
    """As Zalo sends it: from the OA (sender) to the citizen (recipient)."""
    return {"event_name": name, "app_id": APP_ID, "sender": {"id": OA_ID}, "recipient": {"id": citizen},
            "message": {"msg_ids": msg_ids}, "timestamp": timestamp or now_ms()}


# --- 14.16: receipts belong to the citizen ------------------------------------------------------

def test_receipts_are_filed_under_the_citizen_and_never_merged() -> None:
    seen_a = parse_event(receipt("user_seen_message", "citizen-a", ["m1", "m2"], "1717061839659"))
    seen_b = parse_event(receipt("user_seen_message", "citizen-b", ["m3"], "1717061839659"))
    assert (seen_a.user_id, seen_a.msg_ids, seen_a.msg_id) == ("citizen-a", ("m1", "m2"), None)
    assert seen_a.dedupe_key != seen_b.dedupe_key  # same OA, same millisecond: two citizens, two events
    zns = parse_event({"event_name": "user_received_message", "sender": {"id": OA_ID}, "recipient": {"id": "84912345678"},
                       "message": {"msg_id": "zns-1"}, "timestamp": "1717061839659"})
    assert (zns.user_id, zns.msg_ids, zns.msg_id) == ("84912345678", ("zns-1",), None)  # not `msg:zns-1`: the echo's key
    assert parse_event(receipt("user_seen_message", "c", "m1,m2")).msg_ids == ("m1", "m2")


def test_a_citizens_deletion_takes_their_receipts_and_a_bad_one_is_logged_without_their_id(
        tmp_path, fake_zalo, caplog) -> None:
    with Harness(tmp_path, fake_zalo) as h:
        for payload in (receipt("user_seen_message", "citizen-a", ["m1"]), receipt("user_seen_message", "citizen-b", ["m1"]),
                        receipt("user_received_message", "citizen-c", {"weird": 1})):
            assert h.post(payload).status_code == 200
        with caplog.at_level(logging.WARNING):
            h.wait_idle()
        assert rows(h, "SELECT user_id FROM inbox ORDER BY id") == [("citizen-a",), ("citizen-b",), ("citizen-c",)]
        assert rows(h, "SELECT message_id, kind FROM message_events") == [("m1", "seen")]
        assert "names no message id" in caplog.text and "citizen-c" not in caplog.text
        erase(h.runtime.storage, "citizen-a", utc_now())
        assert rows(h, "SELECT user_id FROM inbox ORDER BY id") == [("citizen-b",), ("citizen-c",)]
        assert fake_zalo.sent() == []  # receipts are never answered


# --- 13.1, 13.2, 13.4, 13.5: a period, its report, its purge ----------------------------------------

@pytest.fixture
def period_harness(tmp_path, fake_zalo):
    with Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb"),
                 conversations=ConversationSettings(flood_max_messages=0, staff_days=tuple(range(7)),
                                                    staff_periods=("00:00-24:00",)),
                 campaigns=dataclasses.replace(CampaignSettings(), **FAST)) as h:
        yield h


def test_a_period_reported_from_what_happened_and_again_after_the_purge(period_harness, fake_zalo, tmp_path) -> None:
    h = period_harness
    storage, now = h.runtime.storage, utc_now()
    for citizen in ("u1", "u2", "u3"):
        assert h.post(follow_event(citizen)).status_code == 200
    assert h.post(follow_event("u3", "unfollow")).status_code == 200
    h.wait_idle()
    u1, u2, u4 = Chat(h, "u1"), Chat(h, "u2"), Chat(h, "u4")
    assert u1.say("dang ky khai sinh can gi")[0][0].startswith("Trả lời: Đăng ký khai sinh")
    u1.click("Hữu ích")
    assert u2.say("đăng ký tạm trú như thế nào")[0][0].startswith("Trả lời: Đăng ký tạm trú")
    u2.click("Chưa đúng")
    for chat in (u1, u2):
        assert chat.say("mua vé máy bay đi Đà Nẵng")[0][0].startswith("Xin lỗi, hiện tôi chưa có thông tin")
    u4.say("gặp cán bộ")
    assert h.post(echo_event("u4", "Chào anh, tôi là cán bộ một cửa.")).status_code == 200
    h.wait_idle()
    filed = [tickets.create(storage, "u1", {"topic": "Đất đai", "content": f"Phản ánh {i}"}, now - timedelta(hours=6))
             for i in range(2)]  # 6 hours ago: yesterday in local time when the test runs before 6:00
    tickets.close(storage, filed[0].code, now - timedelta(hours=1))

    campaigns = h.runtime.campaigns
    campaigns.add_text(CAMPAIGN, "test")
    run_id = campaigns.send_now("tin-thang").run_id
    campaigns.runner.submit(run_id)
    assert wait_for_run(campaigns, run_id) == "done"  # stopping the runner earlier would interrupt the run
    campaigns.runner.stop(timeout=5)
    sent = dict(rows(h, "SELECT user_id, message_id FROM campaign_deliveries"))
    assert {(m.user_id, m.message_id) for m in fake_zalo.sent()} >= set(sent.items())  # the ids Zalo answered
    assert sorted(sent) == ["u1", "u2"]  # u3 unfollowed, u4 never followed
    for payload in (receipt("user_received_message", "u1", [sent["u1"]]), receipt("user_seen_message", "u1", [sent["u1"]]),
                    receipt("user_seen_message", "u1", [sent["u1"]]),  # a second receipt adds nothing
                    receipt("user_received_message", "u2", [sent["u2"]])):
        assert h.post(payload).status_code == 200
    h.wait_idle()
    u2.say("cảm ơn")  # a reply to the campaign
    u1.post(text_event("u1", "#menu"))  # its button

    today = local_today(campaigns.tz)  # yesterday too: the tickets filed 6 hours ago, whatever the hour now
    period = parse_period(None, (today - timedelta(days=1)).isoformat(), today.isoformat())
    report = build_report(storage, h.config, period)
    messages = rows(h, "SELECT count(*) FROM inbox WHERE event_name LIKE 'user_send_%'")[0][0]
    assert messages == 9  # 2 questions, 2 ratings, 2 unanswered, the handoff, the reply, the click
    expected = {
        "citizens": {"distinct": 3, "messages": messages},
        "followers": {"new": 3, "unfollowed": 1, "net": 2},
        "questions": {"received": 4, "answered": 2, "suggested": 0, "fallback": 2,
                      "top_unanswered": [{"question": "mua vé máy bay đi Đà Nẵng", "count": 2}]},
        "ratings": {"useful": 1, "not_useful": 1, "useful_share": 0.5},
        "tickets": {"received": 2, "resolved": 1, "resolved_on_time": 1, "median_hours_to_resolve": 5.0, "still_open": 1},
        "handoffs": {"count": 1, "answered_by_staff": 1, "median_wait_minutes": 0},
    }
    for section, figures in expected.items():
        assert {k: report[section][k] for k in figures} == figures, section
    assert {t["name"]: (t["answered"], t["fallback"]) for t in report["questions"]["by_topic"]} == {
        "Hộ tịch": (1, 0), "Cư trú": (1, 0), "Khác / chưa xác định": (0, 2)}
    assert {t["name"]: (t["useful"], t["not_useful"]) for t in report["ratings"]["by_topic"]} == {
        "Hộ tịch": (1, 0), "Cư trú": (0, 1)}
    (campaign,) = report["campaigns"]
    assert {k: campaign[k] for k in ("id", "recipients", "delivered", "received", "seen", "replied", "clicked")} == {
        "id": "tin-thang", "recipients": 2, "delivered": 2, "received": 2, "seen": 1, "replied": 1, "clicked": 1}
    assert report["answers"]["sent"] == len(fake_zalo.sent()) - 2 and report["comparison"]["figures"]["followers.new"] == {
        "current": 3, "previous": 0, "change": 3, "change_share": None}

    # the same run through the admin API: shares, Vietnamese CSV in local time, a summary over all runs
    result = h.client.get("/admin/api/campaigns/tin-thang/report", headers=AUTH).get_json()
    assert result["shares"] == {"received": 1.0, "seen": 0.5, "replied": 0.5, "clicked": 0.5}
    lines = h.client.get("/admin/api/campaigns/tin-thang/report?format=csv", headers=AUTH).get_data(as_text=True).splitlines()
    assert lines[0].endswith("Cập nhật lúc (giờ Việt Nam),Đã nhận,Đã xem,Đã trả lời,Đã bấm nút")
    local = rows(h, "SELECT updated_at FROM campaign_deliveries WHERE user_id = 'u1'")[0][0]

    assert lines[1].startswith("u1,đã gửi,,có,1,") and lines[1].endswith(
        datetime.fromisoformat(local).astimezone(campaigns.tz).strftime("%Y-%m-%d %H:%M:%S") + ",có,có,không,có")
    summary = h.client.get("/admin/api/campaigns/tin-thang/report?format=csv&summary=1", headers=AUTH).get_data(as_text=True)
    assert summary.splitlines()[-1] == "Tổng,,,,2,2,2,1,1,1"

    # the xlsx: one sheet per section, the numbers, native charts
    out = tmp_path / "bao-cao.xlsx"
    write_xlsx(report, out)
    book = load_workbook(out)
    assert book.sheetnames == ["Tổng quan", "Người dân được phục vụ", "Câu hỏi", "Mức độ hài lòng", "Phản ánh, kiến nghị",
                               "Chuyển cán bộ hỗ trợ", "Chiến dịch truyền thông", "So sánh với kỳ trước"]
    overview = {r[0]: r[1] for r in book["Tổng quan"].iter_rows(min_row=7, values_only=True)}
    assert (overview["Số người dân nhắn tin (không trùng)"], overview["Câu hỏi tiếp nhận"], overview["Hữu ích"],
            overview["Xử lý đúng hạn"]) == (3, 4, 1, 1)
    assert book["Tổng quan"]["B2"].value.date() == period.start and book["Tổng quan"]["B2"].number_format == "DD/MM/YYYY"
    assert [r for r in book["Chiến dịch truyền thông"].iter_rows(min_row=2, values_only=True)][0][:8] == (
        "tin-thang", "Tin tháng 12", 2, 2, 2, 1, 1, 1)
    for sheet in ("Câu hỏi", "Mức độ hài lòng", "Chiến dịch truyền thông", "So sánh với kỳ trước"):
        assert len(book[sheet]._charts) == 1, sheet
    html = render_html(report)
    assert "<script" not in html and "http" not in html.split("</style>")[0] and "Tin tháng 12" in html

    # the purge deletes the messages, the answer log, the unanswered questions: the figures stay
    later = now + timedelta(days=400)
    counts = purge(storage, dataclasses.replace(h.config, conversations=dataclasses.replace(
        h.config.conversations, unanswered_retention_days=1)), later)
    assert counts["messages"] >= messages and counts["answers"] == 2 and counts["unanswered"] >= 2
    again = build_report(storage, h.config, period)
    for section in ("citizens", "followers", "questions", "ratings", "tickets", "handoffs", "campaigns"):
        assert again[section] == report[section], section
    erase(storage, "u2", later)  # a deletion request: the days already counted keep their figures
    after = build_report(storage, h.config, period)
    for section in ("citizens", "followers", "questions", "ratings", "tickets", "handoffs"):
        assert after[section] == report[section], section


def test_the_command_line_report(period_harness, tmp_path, capsys, monkeypatch) -> None:
    h = period_harness
    assert h.post(follow_event("u9")).status_code == 200
    h.wait_idle()
    monkeypatch.setenv("BOT_KNOWLEDGE", h.config.knowledge_dir)
    today = local_today(h.runtime.campaigns.tz)
    assert main(["report", "--period", f"{today:%Y-%m}", "--database", h.config.database]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["period"]["label"] == f"{today:%Y-%m}" and report["followers"]["new"] == 1
    assert main(["report", "--period", f"{today:%Y}", "--format", "xlsx", "--database", h.config.database]) == 2
    html = tmp_path / "r.html"
    assert main(["report", "--period", f"{today.year}-Q{(today.month - 1) // 3 + 1}", "--format", "html",
                 "--output", str(html), "--database", h.config.database]) == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["report", "--period", "2026-13", "--database", h.config.database]) == 2


def test_periods() -> None:
    assert parse_period("2026-12").previous().label == "2026-11"
    assert parse_period("2026-q1").previous().label == "2025-Q4"
    assert (parse_period("2026").start.isoformat(), parse_period("2026").last_day.isoformat()) == ("2026-01-01", "2026-12-31")
    custom = parse_period(None, "2026-10-01", "2026-10-15")
    assert custom.previous().label == "2026-09-16..2026-09-30"
    for bad in (("2026-Q5",), ("x",), (None, "2026-10-02", "2026-10-01")):
        with pytest.raises(PeriodError):
            parse_period(*bad)
    with pytest.raises(PeriodError, match="cần --period"):  # `report` alone said "không hợp lệ: None"
        parse_period(None)
    titles = [period_name({"label": p.label, "kind": p.kind}) for p in (parse_period("2026-12"), parse_period("2026-Q4"),
                                                                         parse_period("2026"), custom)]
    assert titles == ["Tháng 12/2026", "Quý IV/2026", "Năm 2026", "Từ 01/10/2026 đến 15/10/2026"]


# --- 14.8: a run belongs to its campaign; query numbers are checked ---------------------------------

def test_admin_report_is_scoped_to_its_campaign_and_refuses_bad_numbers(period_harness) -> None:
    h = period_harness
    campaigns = h.runtime.campaigns
    campaigns.add_text(CAMPAIGN, "test")
    campaigns.add_text(CAMPAIGN.replace("tin-thang", "khac"), "test")
    other = campaigns.send_now("khac").run_id
    mine = campaigns.send_now("tin-thang").run_id
    get = lambda url: h.client.get(url, headers=AUTH)  # noqa: E731
    assert get(f"/admin/api/campaigns/tin-thang/report?run={mine}").status_code == 200
    assert get(f"/admin/api/campaigns/tin-thang/report?run={other}").status_code == 404
    assert get("/admin/api/campaigns/tin-thang/report?run=999").status_code == 404
    assert get(f"/admin/api/campaigns/tin-thang/report?run={other}&format=csv").status_code == 404
    for url in ("/admin/api/campaigns/tin-thang/report?run=abc", "/admin/api/tickets?limit=-1",
                "/admin/api/tickets?limit=abc"):
        response = get(url)
        assert response.status_code == 400 and response.get_json()["ok"] is False, url
    assert h.client.post("/admin/api/campaigns/tin-thang/send-now?dry_run=1&limit=-5", headers=AUTH).status_code == 400
    assert get("/admin/api/tickets?limit=5").status_code == 200


# --- 13.3: the satisfaction survey ----------------------------------------------------------------

def test_survey_after_a_ticket_and_a_handoff_only_in_the_free_window(tmp_path, fake_zalo) -> None:
    with Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb"),
                 reports=ReportSettings(satisfaction_survey=True),
                 conversations=ConversationSettings(flood_max_messages=0, staff_days=tuple(range(7)),
                                                    staff_periods=("00:00-24:00",))) as h:
        storage, now = h.runtime.storage, utc_now()
        u1, u2 = Chat(h, "u1"), Chat(h, "u2")
        u1.say("dang ky tam tru")
        u2.say("gặp cán bộ")
        mine = tickets.create(storage, "u1", {"topic": "Hộ tịch", "content": "Chậm trả kết quả"}, now)
        late = tickets.create(storage, "u3", {"topic": "Hộ tịch", "content": "Cũ"}, now)
        with storage.connect() as db:  # u3 last wrote 3 days ago: outside the free 48 hours
            db.execute("INSERT INTO users (user_id, last_interaction_at) VALUES ('u3', ?)",
                       [(now - timedelta(days=3)).isoformat()])
        for ticket in (mine, late):
            tickets.close(storage, ticket.code, now)
        assert h.client.post("/admin/api/handoffs/u2/close", headers=AUTH).status_code == 200
        h.wait_idle()
        before = len(fake_zalo.sent())
        off = dataclasses.replace(h.config, reports=ReportSettings())
        assert survey.sweep(storage, h.runtime.outbox, off, utc_now()) == 0  # off by default
        assert survey.sweep(storage, h.runtime.outbox, h.config, utc_now()) == 2
        assert survey.sweep(storage, h.runtime.outbox, h.config, utc_now()) == 0  # once each
        asked = {m.user_id: m for m in fake_zalo.sent()[before:]}
        assert sorted(asked) == ["u1", "u2"]
        assert asked["u1"].text == f"Bạn có hài lòng với việc giải quyết phản ánh {mine.code} không?"
        u1.last, u2.last = [asked["u1"]], [asked["u2"]]
        assert u1.click("Hài lòng") == [("Cảm ơn bạn đã đánh giá! Ý kiến của bạn giúp cơ quan phục vụ tốt hơn.", [])]
        u2.click("Chưa hài lòng")
        assert u2.say(f"#survey:ticket:{mine.id}:down")[0][0].startswith("Đánh giá này không còn hiệu lực")  # not theirs
        today = local_today(h.runtime.campaigns.tz).isoformat()
        report = build_report(storage, h.config, parse_period(None, today, today))
        assert report["ratings"]["survey"] == {"ticket": {"asked": 1, "satisfied": 1, "unsatisfied": 0},
                                               "handoff": {"asked": 1, "satisfied": 0, "unsatisfied": 1}}


def test_article_broadcasts_say_zalo_gives_no_receipts(tmp_path, fake_zalo, monkeypatch, capsys) -> None:
    from tests.campaignkit import campaign_config, open_campaigns
    from tests.test_campaign_delivery import ARTICLE, TZ
    config = campaign_config(tmp_path, fake_zalo)
    c = open_campaigns(config, fake_zalo, lambda: datetime.now(TZ).replace(hour=10))
    c.add_text(ARTICLE)
    assert c.runner.deliver(c.send_now("chuyen-muc").run_id) == "done"
    run = c.report("chuyen-muc")
    assert (run["received"], run["seen"], run["shares"]["seen"]) == (None, None, None) and "không báo" in run["note"]
    today = local_today(TZ).isoformat()
    (campaign,) = build_report(c.storage, config, parse_period(None, today, today))["campaigns"]
    assert (campaign["delivered"], campaign["seen"]) == (None, None) and campaign["note"] == run["note"]
    monkeypatch.setenv("BOT_DATABASE", config.database)
    assert main(["campaigns", "report", "chuyen-muc", "--csv", "--summary", "--machine"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "total,,,,,,,,,"  # unknown, not 0


def test_a_deleted_citizens_counted_days_are_not_given_to_the_next_new_citizen(tmp_path, fake_zalo) -> None:
    """report_people keys people by their `users` row number; SQLite hands a deleted last row's
    number to the next new row, which would merge two people in "distinct people served"."""
    tz, now = ZoneInfo("Asia/Ho_Chi_Minh"), utc_now()
    with Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb")) as h:
        storage = h.runtime.storage
        h.runtime.retention.stop()
        h.runtime.retention.join()  # its purge at start-up rolls up too: not in the middle of this test
        Chat(h, "first").say("dang ky khai sinh can gi")
        with storage.transaction() as db:  # that question was asked two days ago
            db.execute("UPDATE inbox SET received_at = ?", [(now - timedelta(days=2)).isoformat()])
            db.execute("DELETE FROM report_state")  # the bot started before it, so that day is rolled up
        rollup.rollup(storage, tz, now)
        erase(storage, "first", now)
        Chat(h, "second").say("dang ky khai sinh can gi")
        today = local_today(tz, now)
        _totals, people = rollup.counts(storage, tz, today - timedelta(days=3), today + timedelta(days=1))
        assert people == 2


def test_a_tapped_suggestion_is_not_a_second_question(tmp_path) -> None:
    """A citizen asks once, gets "Có phải bạn muốn hỏi…", taps a choice: one question received
    (suggested), and one chosen answer, not a second question answered."""
    kit = Kit(tmp_path, knowledge_dir=write_kb(tmp_path / "kb"))
    citizen = kit.citizen("u1")
    assert citizen.say("giấy tờ cho con")[0].text == "Có phải bạn muốn hỏi:"
    assert citizen.tap("Đăng ký khai sinh cần giấy tờ gì?")[0].text.startswith("Trả lời: Đăng ký khai sinh")
    today = local_today(ZoneInfo(kit.config.timezone), kit.now)
    questions = build_report(kit.storage, kit.config, parse_period(None, today.isoformat(), today.isoformat()))["questions"]
    assert {k: questions[k] for k in ("received", "answered", "suggested", "fallback", "chosen")} == {
        "received": 1, "answered": 0, "suggested": 1, "fallback": 0, "chosen": 1}
