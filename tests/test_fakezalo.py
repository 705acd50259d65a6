"""Self-tests of the fake Zalo server, over real loopback HTTP with plain `requests`."""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.fakezalo import Delay, Empty, FakeZalo, Http, ZaloErr
from tests.fakezalo_state import pkce_challenge

CS = "/v3.0/oa/message/cs"
TOKEN_URL = "/v4/oa/access_token"


def cs(fake: FakeZalo, message: dict[str, Any], user_id: str = "5510185758261927916",
       token: str = "fake-access-token", timeout: float = 5) -> dict[str, Any]:
    body = {"recipient": {"user_id": user_id}, "message": message}
    response = requests.post(fake.base_url + CS, json=body, headers={"access_token": token}, timeout=timeout)
    assert response.status_code == 200
    return response.json()


def refresh(fake: FakeZalo, refresh_token: str, secret: str = "app-secret") -> requests.Response:
    form = {"refresh_token": refresh_token, "app_id": "1234567890", "grant_type": "refresh_token"}
    return requests.post(fake.base_url + TOKEN_URL, data=form, headers={"secret_key": secret}, timeout=5)


def buttons(n: int) -> dict[str, Any]:
    items = [{"title": f"Mục {i}", "type": "oa.query.show", "payload": f"#muc{i}"} for i in range(n)]
    return {"text": "Chọn thủ tục:", "attachment": {"type": "template", "payload": {"buttons": items}}}


def test_success_envelope_and_sent_record(fake_zalo: FakeZalo) -> None:
    answer = cs(fake_zalo, {"text": "Xin chào"}, user_id="42")
    assert answer["error"] == 0 and answer["message"] == "Success"
    data = answer["data"]
    assert data["user_id"] == "42" and data["sent_time"].isdigit()
    assert len(data["message_id"]) == 20 and int(data["message_id"], 16) >= 0
    sent = fake_zalo.sent("42")
    assert [(s.message_id, s.text) for s in sent] == [(data["message_id"], "Xin chào")]


def test_message_ids_are_unique(fake_zalo: FakeZalo) -> None:
    ids = {cs(fake_zalo, {"text": f"tin {i}"})["data"]["message_id"] for i in range(20)}
    assert len(ids) == 20


def test_bad_token_is_rejected_and_nothing_sent(fake_zalo: FakeZalo) -> None:
    assert cs(fake_zalo, {"text": "x"}, token="stolen") == {"error": -216, "message": "Access token is invalid"}
    assert fake_zalo.sent() == []


@pytest.mark.parametrize("code", [-216, -220])
def test_expired_token_gets_chosen_code(fake_zalo: FakeZalo, code: int) -> None:
    fake_zalo.expire_access_token(code)
    assert cs(fake_zalo, {"text": "x"})["error"] == code


def test_refresh_rotates_both_tokens(fake_zalo: FakeZalo) -> None:
    fake_zalo.expire_access_token()
    answer = refresh(fake_zalo, "fake-refresh-token").json()
    assert answer["expires_in"] == "90000"
    assert answer["access_token"] != "fake-access-token" and answer["refresh_token"] != "fake-refresh-token"
    assert cs(fake_zalo, {"text": "x"}, token=answer["access_token"])["error"] == 0
    second = refresh(fake_zalo, answer["refresh_token"]).json()
    assert cs(fake_zalo, {"text": "x"}, token=answer["access_token"])["error"] == -216
    assert cs(fake_zalo, {"text": "x"}, token=second["access_token"])["error"] == 0
    assert fake_zalo.refresh_count == 2


def test_reused_refresh_token_gets_empty_body(fake_zalo: FakeZalo) -> None:
    assert refresh(fake_zalo, "fake-refresh-token").status_code == 200
    reused = refresh(fake_zalo, "fake-refresh-token")
    assert (reused.status_code, reused.content) == (200, b"")
    assert fake_zalo.refresh_count == 2


def test_unknown_refresh_token_and_wrong_secret(fake_zalo: FakeZalo) -> None:
    assert refresh(fake_zalo, "never-issued").json()["error"] == -14014
    assert refresh(fake_zalo, "fake-refresh-token", secret="wrong").json()["error_name"] == "Invalid secret key."
    assert refresh(fake_zalo, "fake-refresh-token").json()["expires_in"] == "90000"


def test_concurrent_refreshes_with_one_token_succeed_once(fake_zalo: FakeZalo) -> None:
    bodies: list[bytes] = []
    threads = [threading.Thread(target=lambda: bodies.append(refresh(fake_zalo, "fake-refresh-token").content))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(b) > 0 for b in bodies) == [False] * 7 + [True]
    assert fake_zalo.refresh_count == 8


def test_pkce_code_exchange_is_single_use(fake_zalo: FakeZalo) -> None:
    verifier = "v" * 43
    consent = {"app_id": "1234567890", "redirect_uri": "https://bot.example/cb",
               "code_challenge": pkce_challenge(verifier), "state": "s1"}
    redirect = requests.get(fake_zalo.base_url + "/v4/oa/permission", params=consent, allow_redirects=False)
    callback = parse_qs(urlsplit(redirect.headers["Location"]).query)
    assert callback["state"] == ["s1"]
    code = callback["code"][0]
    form = {"code": code, "app_id": "1234567890", "grant_type": "authorization_code", "code_verifier": verifier}

    def post() -> requests.Response:
        return requests.post(fake_zalo.base_url + TOKEN_URL, data=form, headers={"secret_key": "app-secret"})

    assert cs(fake_zalo, {"text": "x"}, token=post().json()["access_token"])["error"] == 0
    assert "error_name" in post().json()


def test_injections_are_fifo_then_normal(fake_zalo: FakeZalo) -> None:
    fake_zalo.inject(CS, ZaloErr(-32), Http(502, "<html>Bad Gateway</html>"), Empty())
    assert cs(fake_zalo, {"text": "1"}) == {"error": -32, "message": "reached limit call api"}
    gateway = requests.post(fake_zalo.base_url + CS, json={}, headers={"access_token": "fake-access-token"})
    assert (gateway.status_code, gateway.text) == (502, "<html>Bad Gateway</html>")
    empty = requests.post(fake_zalo.base_url + CS, json={}, headers={"access_token": "fake-access-token"})
    assert (empty.status_code, empty.content) == (200, b"")
    assert cs(fake_zalo, {"text": "4"})["error"] == 0
    assert [s.text for s in fake_zalo.sent()] == ["4"]
    assert len(fake_zalo.calls(CS)) == 4


def test_wildcard_injection_and_fail_always(fake_zalo: FakeZalo) -> None:
    fake_zalo.inject("*", ZaloErr(-200, "custom"))
    assert cs(fake_zalo, {"text": "x"}) == {"error": -200, "message": "custom"}
    fake_zalo.fail_always(CS, -234)
    assert [cs(fake_zalo, {"text": "x"})["error"] for _ in range(2)] == [-234, -234]
    fake_zalo.clear()
    assert cs(fake_zalo, {"text": "x"})["error"] == 0


def test_delay_times_out_client_but_message_still_lands(fake_zalo: FakeZalo) -> None:
    fake_zalo.inject(CS, Delay(0.3))
    with pytest.raises(requests.Timeout):
        cs(fake_zalo, {"text": "chậm"}, timeout=0.1)
    assert cs(fake_zalo, {"text": "nhanh"})["error"] == 0
    deadline = time.monotonic() + 3
    while len(fake_zalo.sent()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [s.text for s in fake_zalo.sent()] == ["nhanh", "chậm"]


def test_seven_day_window(fake_zalo: FakeZalo) -> None:
    fake_zalo.set_user("old", last_interaction_days_ago=8)
    fake_zalo.set_user("recent", last_interaction_days_ago=6.5)
    assert cs(fake_zalo, {"text": "x"}, user_id="old")["error"] == -230
    assert cs(fake_zalo, {"text": "x"}, user_id="recent")["error"] == 0


def test_unfollowed_user(fake_zalo: FakeZalo) -> None:
    fake_zalo.set_user("gone", follower=False)
    assert cs(fake_zalo, {"text": "x"}, user_id="gone") == {"error": -213, "message": "User has not followed OA"}


def test_text_limit_is_2000_characters(fake_zalo: FakeZalo) -> None:
    assert cs(fake_zalo, {"text": "á" * 2000})["error"] == 0
    assert cs(fake_zalo, {"text": "á" * 2001})["error"] == -210


def test_button_limits_and_shapes(fake_zalo: FakeZalo) -> None:
    assert cs(fake_zalo, buttons(5))["error"] == 0
    assert cs(fake_zalo, buttons(6))["error"] == -210
    wrong_type = buttons(1)
    wrong_type["attachment"]["payload"]["buttons"][0]["type"] = "oa.postback"
    assert cs(fake_zalo, wrong_type)["error"] == -201
    url_as_string = buttons(1)
    url_as_string["attachment"]["payload"]["buttons"][0].update(type="oa.open.url", payload="https://x")
    assert cs(fake_zalo, url_as_string)["error"] == -201


def test_media_and_request_user_info_shapes(fake_zalo: FakeZalo) -> None:
    image = {"type": "template", "payload": {"template_type": "media",
                                             "elements": [{"media_type": "image", "url": "https://x/a.jpg"}]}}
    assert cs(fake_zalo, {"text": "ảnh", "attachment": image})["error"] == 0
    info = {"type": "template", "payload": {"template_type": "request_user_info", "elements": [
        {"title": "UBND tỉnh", "subtitle": "Đang yêu cầu thông tin từ bạn"}]}}
    assert cs(fake_zalo, {"attachment": info})["error"] == -201


def test_getlist_pages_over_followers(fake_zalo: FakeZalo) -> None:
    fake_zalo.add_followers([str(1000 + i) for i in range(120)])
    fake_zalo.set_user("gone", follower=False)
    pages = []
    for offset in (0, 50, 100):
        url = fake_zalo.base_url + "/v3.0/oa/user/getlist"
        params = {"data": f'{{"offset":{offset},"count":50,"is_follower":true}}'}
        pages.append(requests.get(url, params=params, headers={"access_token": "fake-access-token"}).json()["data"])
    assert [(p["total"], p["count"], p["offset"]) for p in pages] == [(120, 50, 0), (120, 50, 50), (120, 20, 100)]
    assert [u["user_id"] for p in pages for u in p["users"]] == [str(1000 + i) for i in range(120)]
    assert fake_zalo.calls("/v3.0/oa/user/getlist")[1].data["offset"] == 50


def test_getlist_count_over_50_rejected(fake_zalo: FakeZalo) -> None:
    url = fake_zalo.base_url + "/v3.0/oa/user/getlist"
    answer = requests.get(url, params={"data": '{"offset":0,"count":51}'}, headers={"access_token": "fake-access-token"})
    assert answer.json()["error"] == -210


def test_article_verify_polls_then_broadcast(fake_zalo: FakeZalo) -> None:
    def post(path: str, body: dict) -> dict:
        return requests.post(fake_zalo.base_url + path, json=body, headers={"access_token": "fake-access-token"}).json()

    article = {"type": "normal", "title": "Lịch tiếp dân", "author": "UBND", "description": "Thông báo",
               "cover": {"cover_type": "photo", "photo_url": "https://x/c.jpg", "status": "show"},
               "body": [{"type": "text", "content": "Nội dung"}], "status": "show"}
    token = post("/v2.0/article/create", article)["data"]["token"]
    assert post("/v2.0/article/verify", {"token": token}) == {"error": -214, "message": "Article is being processed"}
    article_id = post("/v2.0/article/verify", {"token": token})["data"]["id"]
    element = {"media_type": "article", "attachment_id": article_id}
    message = {"attachment": {"type": "template", "payload": {"template_type": "media", "elements": [element]}}}
    assert post("/v2.0/oa/message", {"recipient": {"target": {"cities": "4"}}, "message": message})["error"] == 0
    assert post("/v2.0/oa/message", {"recipient": {"user_id": "1"}, "message": {"text": "x"}})["error"] == -240


def test_unknown_path_is_404(fake_zalo: FakeZalo) -> None:
    assert requests.post(fake_zalo.base_url + "/v3.0/oa/message", json={}).status_code == 404
