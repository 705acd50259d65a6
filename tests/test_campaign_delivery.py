"""Delivering consultation and template campaigns against the fake Zalo: who gets what, once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import iso
from tests.campaignkit import add_users, campaign_config, consultation, deliveries, open_campaigns, sent_counts
from tests.fakezalo import Delay, FakeZalo, Http, ZaloErr

CS = "/v3.0/oa/message/cs"
CONVERSATION = "/v2.0/oa/conversation"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_each_eligible_citizen_gets_the_rendered_message_once_and_others_are_skipped_with_reasons(
        tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo)
    add_users(c.storage, ["free1", "free2"], topic="cchc")
    add_users(c.storage, ["billed"], days_ago=3, topic="cchc")
    add_users(c.storage, ["old"], days_ago=8, topic="cchc")
    add_users(c.storage, ["gone"], followed=False, topic="cchc")
    add_users(c.storage, ["erased"], do_not_contact=True, topic="cchc")
    add_users(c.storage, ["other-topic"], topic="dvc")
    c.add_text(consultation(audience="topic: cchc"))
    run_id = c.send_now("thu").run_id
    assert c.runner.deliver(run_id) == "done"
    assert sent_counts(fake_zalo) == {"free1": 1, "free2": 1, "billed": 1}
    body = fake_zalo.sent("free1")[0].body["message"]
    assert body["text"].startswith("Thông báo của Ủy ban nhân dân tỉnh") and "{" not in body["text"]
    assert body["attachment"]["payload"]["buttons"] == [
        {"title": "Cổng Dịch vụ công", "type": "oa.open.url", "payload": {"url": "https://dichvucong.gov.vn"}}]
    assert deliveries(c.storage, run_id) == {
        "free1": ("sent", None), "free2": ("sent", None), "billed": ("sent", None),
        "old": ("skipped", "outside_7_day_window"), "gone": ("skipped", "not_follower"),
        "erased": ("skipped", "do_not_contact")}
    report = c.report("thu")
    assert (report["delivered"], report["free_48h"], report["billed_48h_7d"]) == (3, 2, 1)


def test_explicit_list_skips_unknown_ids_and_image_message_shape(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo)
    add_users(c.storage, ["a"])
    c.add_text("id: anh\ntitle: Ảnh\naudience: {users: [a, nobody, a]}\n"
               "message: {text: Lịch tiếp dân, image_url: 'https://example.invalid/lich.jpg'}\n")
    run_id = c.send_now("anh").run_id
    c.runner.deliver(run_id)
    assert fake_zalo.sent("a")[0].body["message"] == {"text": "Lịch tiếp dân", "attachment": {"type": "template", "payload": {
        "template_type": "media", "elements": [{"media_type": "image", "url": "https://example.invalid/lich.jpg"}]}}}
    assert deliveries(c.storage, run_id) == {"a": ("sent", None), "nobody": ("skipped", "unknown_user")}


def test_rate_limit_pauses_every_thread_then_everyone_still_gets_it_once(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo, backoff_seconds=0.4, max_backoff_seconds=0.4), fake_zalo)
    users = [f"u{i:02}" for i in range(40)]
    add_users(c.storage, users)
    c.add_text(consultation())
    fake_zalo.inject(CS, ZaloErr(-32))
    assert c.runner.deliver(c.send_now("thu").run_id) == "done"
    calls = fake_zalo.calls(CS)
    limited = calls[0].time
    during = [r for r in calls if limited + 0.05 < r.time < limited + 0.19]  # jittered pause ≥ 0.2 s
    assert len(during) <= 3 and len(calls) == 41  # at most the requests already under way (concurrency 4)
    assert sent_counts(fake_zalo) == {u: 1 for u in users}


def test_server_errors_are_retried_and_recipient_errors_never(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo, concurrency=1), fake_zalo)  # the 5xx hit ok1, ok2
    add_users(c.storage, ["ok1", "ok2", "unfollowed-at-zalo", "silent-at-zalo"])
    fake_zalo.set_user("unfollowed-at-zalo", follower=False)
    fake_zalo.set_user("silent-at-zalo", last_interaction_days_ago=9)
    fake_zalo.inject(CS, Http(502), Http(503))
    c.add_text(consultation())
    run_id = c.send_now("thu").run_id
    assert c.runner.deliver(run_id) == "done"
    states = deliveries(c.storage, run_id)
    assert states["unfollowed-at-zalo"] == ("failed", "not_follower")
    assert states["silent-at-zalo"] == ("failed", "outside_7_day_window")
    per_user = [r.json["recipient"]["user_id"] for r in fake_zalo.calls(CS)]
    assert per_user.count("ok1") == 2 and per_user.count("ok2") == 2
    assert per_user.count("unfollowed-at-zalo") == 1 and per_user.count("silent-at-zalo") == 1
    assert sent_counts(fake_zalo) == {"ok1": 1, "ok2": 1}


def test_content_error_stops_the_campaign_and_resume_finishes_it(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo, concurrency=1), fake_zalo)
    users = [f"u{i:02}" for i in range(10)]
    add_users(c.storage, users)
    c.add_text(consultation())
    fake_zalo.inject(CS, ZaloErr(-248))
    run_id = c.send_now("thu").run_id
    assert c.runner.deliver(run_id) == "failed"
    assert c.row("thu")["status"] == "failed" and fake_zalo.sent() == []
    assert any(h["event"] == "run_failed" and "lỗi Zalo -248" in h["detail"] for h in c.store.history("thu"))
    c.resume("thu")
    assert c.runner.deliver(c.send_now("thu").run_id) == "done"
    assert sent_counts(fake_zalo) == {u: 1 for u in users}


def test_quiet_hours_pause_the_run_and_it_resumes_after_them(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    moment = [datetime.now(TZ).replace(hour=20, minute=59, second=50)]

    def clock() -> datetime:  # one second passes per look at the clock
        moment[0] += timedelta(seconds=1)
        return moment[0]

    c = open_campaigns(campaign_config(tmp_path, fake_zalo, quiet_hours="21:00-07:00", concurrency=1), fake_zalo, clock)
    users = [f"u{i:02}" for i in range(30)]
    add_users(c.storage, users)
    c.add_text(consultation())
    run_id = c.send_now("thu").run_id
    assert c.runner.deliver(run_id) == "waiting"
    _, resume_at, counts = c.run_status(run_id)
    assert 0 < counts["sent"] < 30 and resume_at.endswith("07:00")
    assert c.runner.deliver(run_id) == "waiting"  # still night: nothing sent
    moment[0] = moment[0].replace(hour=7, minute=0, second=5) + timedelta(days=1)
    assert c.runner.deliver(run_id) == "done"
    assert sent_counts(fake_zalo) == {u: 1 for u in users}


def test_template_channel_needs_no_7_day_window_but_keeps_zalos_night_rule(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    night = [datetime.now(TZ).replace(hour=22, minute=30)]
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo, lambda: night[0])
    add_users(c.storage, ["quiet-citizen"], days_ago=20)
    c.add_text("id: mau\ntitle: Mẫu\nchannel: template\naudience: {all_followers: true}\n"
               "template: {id: '123456', data: {ten_thu_tuc: Cấp căn cước}}\n")
    run_id = c.send_now("mau").run_id
    assert c.runner.deliver(run_id) == "waiting" and c.run_status(run_id)[1].endswith("06:05")
    night[0] = night[0].replace(hour=8) + timedelta(days=1)
    assert c.runner.deliver(run_id) == "done"
    [call] = fake_zalo.calls("/v3.0/oa/message/template")
    assert call.json == {"user_id": "quiet-citizen", "template_id": "123456", "template_data": {"ten_thu_tuc": "Cấp căn cước"}}


def test_timeout_after_sending_is_ambiguous_and_never_resent_with_the_skip_policy(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo, zalo_timeout=0.3, concurrency=1, ambiguous_policy="skip"),
                       fake_zalo)
    add_users(c.storage, ["slow", "z-fast"])
    fake_zalo.inject(CS, Delay(0.6))
    c.add_text(consultation())
    run_id = c.send_now("thu").run_id
    c.runner.deliver(run_id)
    time.sleep(0.4)  # the fake finishes the slow request after the client gave up
    assert deliveries(c.storage, run_id)["slow"] == ("ambiguous", "timeout_after_sending")
    assert sent_counts(fake_zalo) == {"slow": 1, "z-fast": 1} and fake_zalo.calls(CONVERSATION) == []


def test_a_timed_out_message_found_in_the_conversation_is_marked_sent_not_resent(
        tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo, zalo_timeout=0.3, concurrency=1), fake_zalo)
    add_users(c.storage, ["slow", "z-fast"])
    fake_zalo.inject(CS, Delay(0.6))  # Zalo delivers it after the client gave up
    c.add_text(consultation())
    run_id = c.send_now("thu").run_id
    assert c.runner.deliver(run_id) == "done"
    assert deliveries(c.storage, run_id)["slow"] == ("sent", "found_in_conversation")
    assert sent_counts(fake_zalo) == {"slow": 1, "z-fast": 1}
    with c.storage.connect() as db:
        recorded = db.execute("SELECT message_id FROM campaign_deliveries WHERE user_id = 'slow'").fetchone()[0]
    assert recorded == fake_zalo.sent("slow")[0].message_id


def _left_sending(c, run_id: int, user_id: str, seconds_ago: float = 1.0) -> None:
    """A row claimed by a process that died before (or while) its request reached Zalo."""
    with c.storage.transaction() as db:
        db.execute("UPDATE campaign_deliveries SET status = 'sending', attempts = 1, updated_at = ?"
                   " WHERE run_id = ? AND user_id = ?",
                   [iso(datetime.now(UTC) - timedelta(seconds=seconds_ago)), run_id, user_id])


def test_a_crash_before_the_request_left_is_resent_once_the_conversation_shows_it_absent(
        tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo)
    add_users(c.storage, ["never-reached", "other"])
    fake_zalo.user_wrote("never-reached", "Cho hỏi thủ tục")  # the conversation is readable, without our message
    c.add_text(consultation())
    run_id = c.send_now("thu").run_id
    _left_sending(c, run_id, "never-reached")
    assert c.runner.deliver(run_id) == "done"
    assert sent_counts(fake_zalo) == {"never-reached": 1, "other": 1}
    assert deliveries(c.storage, run_id)["never-reached"][0] == "sent"


def test_a_crash_after_zalo_delivered_is_found_even_behind_the_citizens_replies(
        tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo)
    add_users(c.storage, ["reached"])
    c.add_text(consultation())
    first = c.send_now("thu").run_id
    assert c.runner.deliver(first) == "done"  # Zalo has the message ...
    with c.storage.transaction() as db:  # ... but the process died before recording it
        db.execute("UPDATE campaign_deliveries SET status = 'sending', message_id = NULL WHERE run_id = ?", [first])
    for i in range(12):  # more replies than one page of the conversation
        fake_zalo.user_wrote("reached", f"Cảm ơn {i}")
    time.sleep(0.5)
    with c.storage.transaction() as db:
        db.execute("UPDATE campaign_runs SET status = 'pending' WHERE id = ?", [first])
    assert c.runner.deliver(first) == "done"
    assert deliveries(c.storage, first)["reached"] == ("sent", "found_in_conversation")
    assert sent_counts(fake_zalo) == {"reached": 1}
    assert [r.data["offset"] for r in fake_zalo.calls(CONVERSATION)] == [0, 10]


def test_when_the_conversation_cannot_be_read_the_message_stays_ambiguous_and_unsent(
        tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo)
    add_users(c.storage, ["unknown"])
    c.add_text(consultation())
    run_id = c.send_now("thu").run_id
    _left_sending(c, run_id, "unknown")
    fake_zalo.fail_always(CONVERSATION, -32)  # every check (and each of its retries) is refused
    assert c.runner.deliver(run_id) == "done"
    assert deliveries(c.storage, run_id)["unknown"] == ("ambiguous", "check_failed")
    assert fake_zalo.sent() == []


def test_expired_token_is_refreshed_once_for_all_threads(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo)
    users = [f"u{i:02}" for i in range(20)]
    add_users(c.storage, users)
    c.add_text(consultation())
    fake_zalo.expire_access_token()
    assert c.runner.deliver(c.send_now("thu").run_id) == "done"
    assert fake_zalo.refresh_count == 1 and sent_counts(fake_zalo) == {u: 1 for u in users}


def test_officer_pause_stops_within_a_second_and_resume_continues(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo, rate_per_second=20), fake_zalo)
    users = [f"u{i:02}" for i in range(40)]
    add_users(c.storage, users)
    c.add_text(consultation())
    run_id = c.send_now("thu").run_id
    worker = threading.Thread(target=c.runner.deliver, args=(run_id,))
    worker.start()
    time.sleep(0.5)
    c.pause("thu")
    worker.join(3)
    sent_at_pause = len(fake_zalo.sent())
    assert not worker.is_alive() and 0 < sent_at_pause < 40 and c.run_status(run_id)[0] == "paused"
    c.resume("thu")
    assert c.runner.deliver(run_id) == "done"
    assert sent_counts(fake_zalo) == {u: 1 for u in users}


def test_sandbox_records_without_sending(tmp_path: Path) -> None:
    c = open_campaigns(campaign_config(tmp_path, None), None)
    add_users(c.storage, ["a", "b"])
    c.add_text(consultation())
    run_id = c.send_now("thu").run_id
    assert c.runner.deliver(run_id) == "done"
    assert deliveries(c.storage, run_id) == {"a": ("sandbox", None), "b": ("sandbox", None)}


ARTICLE = """
id: chuyen-muc
title: Chuyên mục
channel: article
article: {title: Chuyên mục CCHC, author: Sở Nội vụ, description: Tóm tắt, cover_url: "https://x.invalid/b.jpg",
          body: "Đoạn một.\\n\\nĐoạn hai."}
target: {gender: 0, cities: [4, 9]}
"""


def test_article_is_created_verified_and_broadcast_once_even_when_delivered_again(
        tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo, lambda: datetime.now(TZ).replace(hour=10))
    c.add_text(ARTICLE)
    run_id = c.send_now("chuyen-muc").run_id
    assert c.runner.deliver(run_id) == "done"
    [create] = fake_zalo.calls("/v2.0/article/create")
    assert create.json["body"] == [{"type": "text", "content": "Đoạn một."}, {"type": "text", "content": "Đoạn hai."}]
    assert len(fake_zalo.calls("/v2.0/article/verify")) == 2  # the first answer is -214 "being processed"
    [broadcast] = fake_zalo.calls("/v2.0/oa/message")
    assert broadcast.json["recipient"] == {"target": {"gender": 0, "cities": "4,9"}}
    with c.storage.transaction() as db:  # as if a stopped process had left the run mid-way
        db.execute("UPDATE campaign_runs SET status = 'sending' WHERE id = ?", [run_id])
    assert c.runner.deliver(run_id) == "done" and len(fake_zalo.calls("/v2.0/oa/message")) == 1
    assert c.report("chuyen-muc")["run"]["broadcast_state"] == "sent"


def test_article_broadcast_left_sending_by_a_crash_is_ambiguous_not_repeated(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    c = open_campaigns(campaign_config(tmp_path, fake_zalo), fake_zalo, lambda: datetime.now(TZ).replace(hour=10))
    c.add_text(ARTICLE)
    run_id = c.send_now("chuyen-muc").run_id
    with c.storage.transaction() as db:
        db.execute("UPDATE campaign_runs SET status = 'sending', article_token = 't', article_id = 'a',"
                   " broadcast_state = 'sending' WHERE id = ?", [run_id])
    assert c.runner.deliver(run_id) == "done"
    assert fake_zalo.calls("/v2.0/oa/message") == [] and c.report("chuyen-muc")["run"]["broadcast_state"] == "ambiguous"
