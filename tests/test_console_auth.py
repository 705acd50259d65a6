"""Console accounts, sign-in, sessions, CSRF and roles, through the real app and the real CLI."""

from __future__ import annotations

import dataclasses
import io
import re
import sys

import pytest

from bot import accounts
from bot.cli import main
from bot.config import ConsoleSettings
from tests.consolekit import PASSWORD, console_harness, csrf, login, post


@pytest.fixture
def h(tmp_path):
    harness = console_harness(tmp_path, None)
    yield harness
    harness.runtime.stop()


def test_root_and_every_page_redirect_to_login_without_a_session(h):
    assert h.client.get("/").headers["Location"] == "/console/"
    for page in ("/console/", "/console/campaigns/", "/console/tickets/", "/console/knowledge",
                 "/console/unanswered", "/console/users/"):
        response = h.client.get(page)
        assert response.status_code == 302 and response.headers["Location"].startswith("/console/login"), page
    login_page = h.client.get("/console/login").get_data(as_text=True)
    assert "Đăng nhập" in login_page and 'name="username"' in login_page and 'name="password"' in login_page


def test_login_requires_a_valid_csrf_token_and_the_right_password(h):
    h.client.get("/console/login")
    refused = h.client.post("/console/login", data={"username": "quantri", "password": PASSWORD})
    assert refused.status_code == 400
    forged = h.client.post("/console/login", data={"username": "quantri", "password": PASSWORD, "csrf_token": "x"})
    assert forged.status_code == 400
    wrong = login(h.client, "quantri", "sai-mat-khau")
    assert wrong.status_code == 401 and "không đúng" in wrong.get_data(as_text=True)
    assert h.client.get("/console/").status_code == 302
    ok = login(h.client, "quantri")
    assert ok.status_code == 302 and ok.headers["Location"] == "/console/"
    assert "Tổng quan" in h.client.get("/console/").get_data(as_text=True)
    assert post(h.client, "/console/users/", {"name": "x"}, page="/console/users/").status_code == 400  # short password
    assert h.client.post("/console/users/", data={"name": "khach", "role": "staff", "password": PASSWORD}).status_code == 400


def test_after_login_only_console_addresses_are_followed(h):
    page = h.client.get("/console/login?next=/console/tickets/").get_data(as_text=True)
    data = {"username": "tiepnhan", "password": PASSWORD, "csrf_token": csrf(page)}
    assert h.client.post("/console/login?next=/console/tickets/", data=data).headers["Location"] == "/console/tickets/"
    other = h.app.test_client()
    page = other.get("/console/login").get_data(as_text=True)
    data["csrf_token"] = csrf(page)
    assert other.post("/console/login?next=//evil.example/", data=data).headers["Location"] == "/console/"


def test_session_cookie_is_httponly_lax_and_secure_only_behind_a_trusted_https_proxy(tmp_path):
    harness = console_harness(tmp_path, None, console=ConsoleSettings(campaigns_dir=str(tmp_path / "campaigns"),
                                                                       trust_forwarded_proto=True))
    try:
        plain = harness.client.get("/console/login").headers["Set-Cookie"]
        assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
        proxied = harness.app.test_client().get("/console/login", headers={"X-Forwarded-Proto": "https"})
        assert "Secure" in proxied.headers["Set-Cookie"]
    finally:
        harness.runtime.stop()


def test_forwarded_proto_is_ignored_unless_configured(h):
    cookie = h.client.get("/console/login", headers={"X-Forwarded-Proto": "https"}).headers["Set-Cookie"]
    assert "Secure" not in cookie


def test_failed_logins_are_throttled(h):
    for _ in range(accounts.THROTTLE_FAILURES):
        assert login(h.client, "quantri", "sai").status_code == 401
    locked = login(h.client, "quantri")  # even the right password waits out the lock
    assert locked.status_code == 429 and "thử lại sau" in locked.get_data(as_text=True)


def test_roles_get_403_on_pages_they_may_not_use(h):
    expected = {
        "truyenthong": {"/console/campaigns/": 200, "/console/tickets/": 403, "/console/knowledge": 403,
                        "/console/unanswered": 403, "/console/users/": 403},
        "tiepnhan": {"/console/campaigns/": 403, "/console/tickets/": 200, "/console/knowledge": 200,
                     "/console/unanswered": 200, "/console/users/": 403},
        "quantri": {"/console/campaigns/": 200, "/console/tickets/": 200, "/console/users/": 200},
    }
    for name, pages in expected.items():
        client = h.app.test_client()
        login(client, name)
        assert client.get("/console/").status_code == 200
        for page, status in pages.items():
            response = client.get(page)
            assert response.status_code == status, (name, page)
            if status == 403:
                assert "Không có quyền truy cập" in response.get_data(as_text=True)
    officer = h.app.test_client()
    login(officer, "truyenthong")
    assert post(officer, "/console/tickets/PA-2026-000001/close").status_code == 403


def test_disabling_an_account_or_changing_its_password_ends_its_sessions(h):
    staff = h.app.test_client()
    login(staff, "tiepnhan")
    assert staff.get("/console/tickets/").status_code == 200
    admin = h.client
    login(admin, "quantri")
    assert post(admin, "/console/users/tiepnhan", {"action": "disable"}, page="/console/users/").status_code == 302
    assert staff.get("/console/tickets/").status_code == 302
    assert login(staff, "tiepnhan").status_code == 401
    post(admin, "/console/users/tiepnhan", {"action": "enable"}, page="/console/users/")
    assert login(staff, "tiepnhan").status_code == 302
    post(admin, "/console/users/tiepnhan", {"action": "password", "password": "mat-khau-moi-1"}, page="/console/users/")
    assert staff.get("/console/tickets/").status_code == 302
    assert login(staff, "tiepnhan", "mat-khau-moi-1").status_code == 302


def test_admin_manages_accounts_and_sees_the_audit_trail(h):
    login(h.client, "quantri")
    short = post(h.client, "/console/users/", {"name": "moi", "role": "staff", "password": "ngan"}, page="/console/users/")
    page = short.get_data(as_text=True)
    assert short.status_code == 400 and "ít nhất 8 ký tự" in page and 'value="moi"' in page
    post(h.client, "/console/users/", {"name": "moi", "role": "staff", "password": "du-dai-roi"}, page="/console/users/")
    post(h.client, "/console/users/moi", {"action": "role", "role": "officer"}, page="/console/users/")
    assert accounts.get(h.runtime.storage, "moi").role == "officer"
    self_lock = post(h.client, "/console/users/quantri", {"action": "disable"}, page="/console/users/")
    assert self_lock.status_code == 302 and accounts.get(h.runtime.storage, "quantri").enabled
    trail = h.client.get("/console/users/").get_data(as_text=True)
    assert "users.add" in trail and "users.role" in trail and "login" in trail
    assert re.search(r"quantri</td><td[^>]*>users.role</td><td[^>]*>moi", trail)


def test_users_command_reads_the_password_from_stdin(tmp_path, monkeypatch, capsys):
    harness = console_harness(tmp_path, None)
    try:
        monkeypatch.setenv("BOT_DATABASE", harness.config.database)
        monkeypatch.setattr(sys, "stdin", io.StringIO("mot-mat-khau-dai\n"))
        assert main(["users", "add", "lan", "--role", "officer"]) == 0
        assert accounts.authenticate(harness.runtime.storage, "lan", "mot-mat-khau-dai") is not None
        assert main(["users", "list"]) == 0
        assert re.search(r"lan\s+officer\s+đang dùng", capsys.readouterr().out)
        monkeypatch.setattr(sys, "stdin", io.StringIO("mat-khau-thu-hai\n"))
        assert main(["users", "passwd", "lan"]) == 0
        assert accounts.authenticate(harness.runtime.storage, "lan", "mot-mat-khau-dai") is None
        assert main(["users", "disable", "lan"]) == 0
        assert accounts.authenticate(harness.runtime.storage, "lan", "mat-khau-thu-hai") is None
        monkeypatch.setattr(sys, "stdin", io.StringIO("ngan\n"))
        assert main(["users", "add", "binh", "--role", "staff"]) == 1
        assert "ít nhất 8" in capsys.readouterr().err
        stored = dataclasses.asdict(accounts.get(harness.runtime.storage, "lan"))
        assert "mat-khau" not in str(stored)
    finally:
        harness.runtime.stop()


def test_passwords_are_salted_scrypt_hashes():
    first, second = accounts.hash_password("giong-nhau"), accounts.hash_password("giong-nhau")
    assert first != second and first.startswith("scrypt$") and "giong-nhau" not in first
    assert accounts.check_password(first, "giong-nhau") and not accounts.check_password(first, "khac-nhau")


def test_session_secret_survives_a_restart(tmp_path):
    first = console_harness(tmp_path, None)
    client = first.app.test_client()
    login(client, "quantri")
    cookie = client.get_cookie("console_session", path="/console")
    first.runtime.stop()
    second_app = __import__("app").create_app(first.config)
    try:
        again = second_app.test_client()
        again.set_cookie("console_session", cookie.value, path="/console")
        assert again.get("/console/").status_code == 200
    finally:
        second_app.extensions["runtime"].stop()


def test_csrf_field_is_on_every_form(h):
    login(h.client, "quantri")
    for page in ("/console/", "/console/campaigns/new", "/console/users/", "/console/unanswered"):
        html = h.client.get(page).get_data(as_text=True)
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S)
        assert forms and all('name="csrf_token"' in f for f in forms), page
        assert csrf(html)


def test_unknown_console_page_is_a_vietnamese_404_and_the_webhook_is_untouched(h):
    login(h.client, "quantri")
    missing = h.client.get("/console/khong-co")
    assert missing.status_code == 404 and "Không tìm thấy trang" in missing.get_data(as_text=True)
    assert h.client.get("/console/campaigns/khong-co").status_code == 404
    assert h.client.get("/healthz").status_code == 200
    assert h.app.test_client().get("/khong-co").status_code == 404
