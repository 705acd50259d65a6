"""The Zalo client against the fake OpenAPI/OAuth server: shapes, errors, retries, token rotation."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from bot.storage import Storage
from bot.zalo import ErrorKind, ZaloClient, ZaloError
from bot.zalo.messages import ZaloButton, buttons_message, image_message, split_text, text_message
from bot.zalo.tokens import TokenError, TokenManager
from tests.fakezalo import Delay, Empty, Http, ZaloErr
from tests.harness import make_config

CS = "/v3.0/oa/message/cs"


@pytest.fixture
def setup(tmp_path, fake_zalo):
    config = make_config(tmp_path, fake_zalo)
    storage = Storage(config.database)
    storage.migrate()

    def build(**zalo_overrides):
        tokens = TokenManager(storage, config.secrets, dataclasses.replace(config.zalo, **zalo_overrides))
        tokens.seed_from_environment()
        return ZaloClient(tokens.settings, tokens), tokens

    return build, storage, fake_zalo


def test_text_buttons_and_image_shapes(setup):
    build, _, fake = setup
    client, _ = build()
    client.send_message("u1", text_message("Xin chào"))
    buttons = [ZaloButton("Cổng DVC", "oa.open.url", {"url": "https://dichvucong.gov.vn"}),
               ZaloButton("Giờ làm việc", "oa.query.show", "#faq:gio"),
               ZaloButton("Ẩn", "oa.query.hide", "#menu"),
               ZaloButton("Gọi", "oa.open.phone", {"phone_code": "84123456789"})]
    client.send_message("u1", buttons_message("Chọn:", buttons))
    client.send_message("u1", image_message("https://example.invalid/a.jpg", "Ảnh"))
    sent = fake.sent("u1")
    assert [s.text for s in sent] == ["Xin chào", "Chọn:", "Ảnh"]
    assert len(sent[1].buttons) == 4
    assert sent[0].message_id and sent[0].message_id != sent[1].message_id
    assert fake.calls(CS)[0].headers["access_token"] == "fake-access-token"


def test_more_than_five_buttons_is_refused_before_sending():
    with pytest.raises(ValueError):
        buttons_message("x", [ZaloButton(str(i), "oa.query.show", "#x") for i in range(6)])


def test_long_text_splits_at_paragraphs_and_sentences():
    paragraph = "Câu thứ nhất khá dài về thủ tục. " * 40
    parts = split_text(f"{paragraph}\n\n{paragraph}\n\n{paragraph}")
    assert all(len(p) <= 2000 for p in parts)
    assert len(parts) == 3 and all(p.endswith("thủ tục.") for p in parts)
    long_sentence_parts = split_text("Một câu. " * 400)
    assert all(len(p) <= 2000 and p.endswith("câu.") for p in long_sentence_parts)


def test_permanent_recipient_error_is_not_retried(setup):
    build, _, fake = setup
    client, _ = build()
    fake.inject(CS, ZaloErr(-230))
    with pytest.raises(ZaloError) as caught:
        client.send_message("u1", text_message("hi"))
    assert caught.value.kind is ErrorKind.UNREACHABLE and caught.value.reason == "outside_7_day_window"
    assert len(fake.calls(CS)) == 1


@pytest.mark.parametrize("transient", [ZaloErr(-32), Http(502, "<html>bad gateway</html>"), ZaloErr(-200),
                                       Http(200, "[" * 30_000, "application/json")])
def test_transient_errors_are_retried_with_backoff(setup, transient):
    build, _, fake = setup
    client, _ = build()
    fake.inject(CS, transient)
    assert client.send_message("u1", text_message("hi"))
    assert len(fake.calls(CS)) == 2 and len(fake.sent("u1")) == 1


def test_retries_are_bounded(setup):
    build, _, fake = setup
    client, _ = build(max_attempts=3)
    fake.fail_always(CS, -32)
    with pytest.raises(ZaloError) as caught:
        client.send_message("u1", text_message("hi"))
    assert caught.value.kind is ErrorKind.RATE_LIMIT
    assert len(fake.calls(CS)) == 3


def test_read_timeout_on_send_is_ambiguous_and_not_resent(setup):
    build, _, fake = setup
    client, _ = build(timeout_seconds=0.3)
    fake.inject(CS, Delay(0.6))
    with pytest.raises(ZaloError) as caught:
        client.send_message("u1", text_message("hi"))
    assert caught.value.kind is ErrorKind.AMBIGUOUS
    assert len(fake.calls(CS)) == 1


@pytest.mark.parametrize("code", [-216, -220])
def test_expired_token_refreshes_once_and_retries(setup, code):
    build, storage, fake = setup
    client, tokens = build()
    fake.expire_access_token(code)
    client.send_message("u1", text_message("hi"))
    assert fake.refresh_count == 1 and len(fake.sent("u1")) == 1
    stored = tokens.stored()
    assert stored["access_token"] == fake.access_token and stored["refresh_token"] == fake.refresh_token
    assert stored["previous_refresh_token"] == "fake-refresh-token"


def test_rotated_tokens_survive_a_restart(setup):
    build, _, fake = setup
    client, _ = build()
    fake.expire_access_token()
    client.send_message("u1", text_message("hi"))
    restarted, _ = build()  # same database, same (now spent) env tokens
    fake.expire_access_token()
    restarted.send_message("u1", text_message("again"))
    assert fake.refresh_count == 2 and len(fake.sent("u1")) == 2


def test_eight_concurrent_sends_seeing_216_refresh_exactly_once(setup):
    build, _, fake = setup
    client, _ = build()
    client.send_message("warmup", text_message("hi"))
    fake.expire_access_token()
    barrier = threading.Barrier(8)
    errors: list[Exception] = []

    def send(i: int) -> None:
        barrier.wait()
        try:
            client.send_message(f"c{i}", text_message("hi"))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert fake.refresh_count == 1
    assert len(fake.sent()) == 9


@pytest.mark.parametrize("failure", [Empty(), ZaloErr(-14014, "Invalid refresh token."),
                                     Http(200, "[" * 30_000, "application/json")])
def test_terminal_refresh_failure_keeps_stored_pair_and_is_visible(setup, failure):
    build, _, fake = setup
    client, tokens = build()
    before = tokens.stored()
    fake.expire_access_token()
    fake.inject("/v4/oa/access_token", failure)
    with pytest.raises(TokenError):
        client.send_message("u1", text_message("hi"))
    after = tokens.stored()
    assert (after["access_token"], after["refresh_token"]) == (before["access_token"], before["refresh_token"])
    assert tokens.status()["last_error"]
    assert "fake-refresh-token" not in str(tokens.status())


def test_proactive_refresh_before_expiry(setup):
    build, storage, fake = setup
    client, tokens = build()
    with storage.connect() as db:
        db.execute("UPDATE tokens SET access_expires_at = ?", [tokens.clock() + 60])  # 1 minute left
    client.send_message("u1", text_message("hi"))
    assert fake.refresh_count == 1
    assert tokens.stored()["access_expires_at"] > tokens.clock() + 80000
