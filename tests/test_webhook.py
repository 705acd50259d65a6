"""The webhook: what Zalo sends in, what citizens get back.

Signatures, malformed bodies, redeliveries and the event kinds' path go through HTTP, the workers and
the fake Zalo; how a kind of message is answered goes through the dispatch in-process
(tests/dispatchkit.py)."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest

from bot.signature import sign, verify_signature
from tests.dispatchkit import Kit
from tests.harness import (
    APP_ID,
    OA_ID,
    OA_SECRET,
    REPO,
    Harness,
    echo_event,
    follow_event,
    media_event,
    now_ms,
    signed,
    text_event,
)

SPINE_KB = REPO / "tests" / "data" / "spine_kb"


@pytest.fixture
def h(tmp_path, fake_zalo):
    with Harness(tmp_path, fake_zalo, knowledge_dir=SPINE_KB) as harness:
        yield harness


@pytest.fixture
def kit(tmp_path):
    return Kit(tmp_path, knowledge_dir=SPINE_KB)


def inbox_rows(h):
    with h.runtime.storage.connect() as db:
        return list(db.query("SELECT event_name, status FROM inbox ORDER BY id"))


# --- signature ---------------------------------------------------------------------------

def test_signature_accepts_with_and_without_mac_prefix():
    raw, ts = b'{"timestamp":"1"}', "1"
    good = sign(APP_ID, raw, ts, OA_SECRET)
    assert verify_signature(good, APP_ID, raw, ts, OA_SECRET)
    assert verify_signature(good.removeprefix("mac=").upper(), APP_ID, raw, ts, OA_SECRET)
    assert not verify_signature(good, APP_ID, raw + b" ", ts, OA_SECRET)
    assert not verify_signature(good, APP_ID, raw, ts, "other-secret")


def test_signature_made_with_the_oa_id_is_accepted_but_not_with_a_wrong_key(h):
    payload = text_event("u1", "dang ky tam tru")
    raw = json.dumps(payload).encode()
    oa_signed = sign(payload["recipient"]["id"], raw, payload["timestamp"], OA_SECRET)
    headers = {"Content-Type": "application/json", "X-ZEvent-Signature": oa_signed}
    assert h.client.post("/webhook", data=raw, headers=headers).status_code == 200
    forged = sign(payload["recipient"]["id"], raw, payload["timestamp"], "wrong-key")
    headers["X-ZEvent-Signature"] = forged
    assert h.client.post("/webhook", data=raw, headers=headers).status_code == 401


def test_valid_signature_is_answered(h):
    h.text("u1", "dang ky khai sinh can gi")
    sent = h.wait_sent("u1", 1)
    assert sent[0].text.startswith("Để đăng ký khai sinh")
    assert "1900 1234" in sent[0].text  # the {hotline} placeholder comes from config


@pytest.mark.parametrize("header", [None, "", "mac=" + "0" * 64, "not-even-hex", "mac=đúng-không"])
def test_missing_forged_or_non_ascii_signature_is_401_and_not_processed(h, header):
    raw = json.dumps(text_event("u1", "dang ky tam tru")).encode()
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["X-ZEvent-Signature"] = header.encode("utf-8").decode("latin-1")
    response = h.client.post("/webhook", data=raw, headers=headers)
    assert response.status_code == 401
    assert inbox_rows(h) == []


def test_signature_over_different_bytes_is_refused(h):
    """Re-serialising the JSON would change the bytes: the signature covers the raw body."""
    payload = text_event("u1", "đăng ký tạm trú")
    raw, headers = signed(payload)
    tampered = json.dumps(payload, ensure_ascii=True).encode()  # same JSON value, different bytes
    assert tampered != raw
    assert h.client.post("/webhook", data=tampered, headers=headers).status_code == 401


def test_stale_event_is_refused(h):
    old = str(int((time.time() - 25 * 3600) * 1000))
    response = h.post(text_event("u1", "dang ky tam tru", timestamp=old))
    assert response.status_code == 400
    assert inbox_rows(h) == []


# --- malformed input ---------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", "\xff\xfe".encode("latin-1")])
def test_malformed_json_is_400(h, body):
    """Signed correctly (no timestamp field: an empty one), so only the parsing can refuse it."""
    response = h.client.post("/webhook", data=body, headers={"X-ZEvent-Signature": sign(APP_ID, body, "", OA_SECRET)})
    assert response.status_code == 400
    assert inbox_rows(h) == []


def test_malformed_json_with_a_wrong_signature_is_401_before_any_parsing(h):
    response = h.client.post("/webhook", data=b"{not json", headers={"X-ZEvent-Signature": "mac=00"})
    assert response.status_code == 401


@pytest.mark.parametrize("body", [b"[" * 30_000, b'{"timestamp":"1","message":' + b'{"a":' * 8_000 + b"1" + b"}" * 8_001],
                         ids=["brackets", "objects"])
@pytest.mark.parametrize("signature", ["mac=00", None], ids=["forged", "signed"])
def test_deeply_nested_json_is_400_without_a_traceback(h, caplog, body, signature):
    """60 KB of `[` used to reach json.loads before authentication: RecursionError, 500, traceback."""
    headers = {"X-ZEvent-Signature": signature or sign(APP_ID, body, "1", OA_SECRET)}
    started = time.perf_counter()
    response = h.client.post("/webhook", data=body, headers=headers)
    assert response.status_code == 400
    assert "nested" in response.get_json()["error"]
    assert time.perf_counter() - started < 0.5
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert inbox_rows(h) == []


def test_the_signed_timestamp_is_the_top_level_one(h):
    """A `timestamp` key inside the message (or in its text) is not the one the signature covers."""
    payload = text_event("u1", 'chữ có "timestamp": "1" bên trong')
    payload["message"]["timestamp"] = "1"
    assert h.post(payload).status_code == 200


@pytest.mark.parametrize("drop", ["event_name", "sender"])
def test_missing_fields_is_400(h, drop):
    payload = text_event("u1", "hello")
    del payload[drop]
    assert h.post(payload).status_code == 400
    assert inbox_rows(h) == []


def test_bad_timestamp_is_400(h):
    payload = text_event("u1", "hello", timestamp="yesterday")
    assert h.post(payload).status_code == 400


def test_oversized_body_is_413(h):
    payload = text_event("u1", "x" * 70_000)
    assert h.post(payload).status_code == 413
    assert inbox_rows(h) == []


# --- deduplication -----------------------------------------------------------------------

def test_redelivered_event_is_answered_once(h):
    payload = text_event("u1", "dang ky tam tru", msg_id="dup-1")
    for _ in range(3):
        assert h.post(payload).status_code == 200
    h.wait_sent("u1", 1)
    h.wait_idle()
    time.sleep(0.3)
    assert len(h.fake.sent("u1")) == 1


def test_ten_simultaneous_copies_give_one_reply(h):
    raw, headers = signed(text_event("u2", "dang ky tam tru", msg_id="dup-10"))
    barrier = threading.Barrier(10)
    codes: list[int] = []

    def deliver():
        client = h.app.test_client()
        barrier.wait()
        codes.append(client.post("/webhook", data=raw, headers=headers).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 10
    h.wait_sent("u2", 1)
    h.wait_idle()
    time.sleep(0.3)
    assert len(h.fake.sent("u2")) == 1


def test_events_without_msg_id_dedupe_on_event_user_and_time(h):
    payload = follow_event("u3")
    h.post(payload)
    h.post(payload)
    h.wait_sent("u3", 2)
    h.wait_idle()
    assert len(h.fake.sent("u3")) == 2  # one welcome: greeting with the topics, then the services


# --- event kinds -------------------------------------------------------------------------

def test_follow_records_follower_and_welcomes(h):
    h.post(follow_event("u4"))
    sent = h.wait_sent("u4", 1)
    assert sent[0].text.startswith("Xin chào")
    with h.runtime.storage.connect() as db:
        assert db.execute("SELECT followed FROM users WHERE user_id = 'u4'").fetchone() == (1,)
    h.post(follow_event("u4", name="unfollow"))
    h.wait_idle()
    with h.runtime.storage.connect() as db:
        assert db.execute("SELECT followed FROM users WHERE user_id = 'u4'").fetchone() == (0,)


@pytest.mark.parametrize("kind", ["image", "sticker", "gif", "file", "audio", "video", "link", "location"])
def test_non_text_messages_get_a_polite_reply(kit, kind):
    [reply] = kit.citizen("u5").send_media(kind)
    assert "chỉ đọc được tin nhắn chữ" in reply.text


def test_a_non_text_message_is_answered_through_the_webhook(h):
    assert h.post(media_event("u5", "sticker")).status_code == 200
    assert "chỉ đọc được tin nhắn chữ" in h.wait_sent("u5", 1)[0].text


@pytest.mark.parametrize("kind, text", [("link", "dang ky khai sinh can gi https://dichvucong.gov.vn/p/home"),
                                        ("image", "làm khai sinh cho bé")])
def test_words_sent_with_a_link_or_as_an_image_caption_are_answered(kit, kind, text):
    assert kit.citizen("u10").send_media(kind, text)[0].text.startswith("Để đăng ký khai sinh")


@pytest.mark.parametrize("text", ["https://dichvucong.gov.vn", "  www.example.invalid/a?b=c  "])
def test_a_link_without_words_gets_the_polite_reply(kit, text):
    assert "chỉ đọc được tin nhắn chữ" in kit.citizen("u11").send_media("link", text)[0].text


def test_a_marriage_question_sent_with_a_link_is_answered_from_the_shipped_knowledge(tmp_path):
    reply = Kit(tmp_path).citizen("u12").send_media("link", "Thủ tục đăng ký kết hôn https://dichvucong.gov.vn")[0].text
    assert "chỉ đọc được" not in reply and "kết hôn" in reply


def reaction_event(user_id: str, msg_id: str, icon: str) -> dict:
    return {"event_name": "user_reacted_message", "app_id": APP_ID, "sender": {"id": user_id},
            "recipient": {"id": OA_ID}, "message": {"msg_id": msg_id, "react_icon": icon}, "timestamp": now_ms(),
            "user_id_by_app": "3611371994410983884"}


def test_reactions_are_kept_apart_from_the_message_they_react_to_and_from_each_other(h):
    echo = echo_event("u13", "Cán bộ trả lời")
    reacted_to = echo["message"]["msg_id"]
    heart = reaction_event("u13", reacted_to, "/-heart")
    strong = reaction_event("u13", reacted_to, "/-strong")
    for payload in (echo, heart, strong, strong, heart):  # the last two: Zalo redelivering
        assert h.post(payload).status_code == 200
    h.wait_idle()
    assert [r["event_name"] for r in inbox_rows(h)] == ["oa_send_text", "user_reacted_message", "user_reacted_message"]
    assert h.fake.sent("u13") == []


def test_echoes_and_unknown_events_are_recorded_without_reply(h):
    assert h.post(echo_event("u6", "Cán bộ trả lời")).status_code == 200
    unknown = {"event_name": "user_reacted_message", "app_id": APP_ID, "sender": {"id": "u6"},
               "timestamp": str(int(time.time() * 1000))}
    assert h.post(unknown).status_code == 200
    h.wait_idle()
    assert [r["event_name"] for r in inbox_rows(h)] == ["oa_send_text", "user_reacted_message"]
    assert h.fake.sent("u6") == []


def test_button_payload_goes_to_its_entry_not_the_matcher(kit):
    assert kit.citizen("u7").say("#faq:ho-chieu")[0].text.startswith("Bạn nộp hồ sơ cấp hộ chiếu")


def test_answer_carries_entry_buttons(h):
    h.text("u8", "thủ tục làm giấy khai sinh")
    sent = h.wait_sent("u8", 1)
    buttons = sent[0].body["message"]["attachment"]["payload"]["buttons"]
    assert {"title": "Cổng Dịch vụ công", "type": "oa.open.url", "payload": {"url": "https://dichvucong.gov.vn"}} in buttons
    assert {"title": "Gọi tổng đài", "type": "oa.open.phone", "payload": {"phone_code": "19001234"}} in buttons


def test_healthz_reports_mode_and_knowledge(h):
    body = h.client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["mode"] == "zalo"
    assert body["knowledge"]["entries"] == 3


def test_a_text_that_is_not_a_string_is_no_question(h, fake_zalo):
    """A list or an object in `message.text` was stored and logged as its Python spelling ("['a']")."""
    for text in (["thủ tục"], {"x": "y"}):
        event = text_event("u-odd", "x")
        event["message"]["text"] = text
        assert h.post(event).status_code == 200
    h.wait_idle()
    with h.runtime.storage.connect() as db:
        assert list(db.query("SELECT question FROM unanswered")) == []
    assert fake_zalo.sent() == []
