"""Sign-in, sessions, CSRF and roles for every console page.

The session cookie (signed by Flask) holds the account id, its `session_epoch` and the CSRF
token. Each request reloads the account: a disabled account, a new password or a new role bumps
the epoch, so existing sessions end at once. Every POST must carry the session's CSRF token
(form field `csrf_token` or header X-CSRF-Token), the sign-in form included; otherwise 400.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Request, abort, current_app, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from bot import accounts

# Who may use which page group; admins may use everything.
ACCESS = {"dashboard": set(accounts.ROLES), "campaigns": {"admin", "officer"},
          "support": {"admin", "staff"}, "users": {"admin"}}
OPEN_ENDPOINTS = ("console.login", "console.static")


class SecureWhenHttps(SecureCookieSessionInterface):
    """`Secure` on the session cookie whenever the request came over HTTPS (directly, or through a
    proxy trusted with `console.trust_forwarded_proto`), so plain-HTTP local use still works."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(request and request.is_secure) or super().get_cookie_secure(app)


def install(console: Blueprint) -> None:
    console.before_request(_check_request)
    console.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    console.add_url_rule("/logout", "logout", logout, methods=["POST"])
    console.app_context_processor(_context)
    for code in (400, 403, 404, 409, 429):
        console.register_error_handler(code, error_page)


def storage() -> Any:
    return current_app.extensions["runtime"].storage


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_request() -> Any:
    if request.method == "POST" and not _csrf_ok(request):
        abort(400, "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ; hãy tải lại trang rồi thử lại.")
    g.account = _current_account()
    if g.account is None and request.endpoint not in OPEN_ENDPOINTS:
        if request.method == "GET":
            return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
        abort(403)
    return None


def _csrf_ok(req: Request) -> bool:
    sent = req.form.get("csrf_token") or req.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    return bool(sent and expected) and hmac.compare_digest(sent.encode(), expected.encode())


def _current_account() -> accounts.Account | None:
    account_id, epoch = session.get("aid"), session.get("epoch")
    if account_id is None:
        return None
    account = accounts.get_by_id(storage(), int(account_id))
    if account is None or not account.enabled or account.session_epoch != epoch:
        session.pop("aid", None)
        return None
    return account


def require(group: str) -> Callable[[], None]:
    """A before_request hook for a page group's blueprint: 403 for roles without access."""
    def check() -> None:
        if g.account is not None and g.account.role not in ACCESS[group]:
            abort(403)
    return check


def allowed(group: str) -> bool:
    return g.get("account") is not None and g.account.role in ACCESS[group]


def actor() -> str:
    return g.account.name


def audit(action: str, target: str = "", detail: str = "") -> None:
    accounts.audit(storage(), actor(), action, target, detail)


def login() -> Any:
    error = ""
    name = request.form.get("username", "").strip()
    status = 200
    if request.method == "POST":
        keys = [f"name:{name.lower()}", f"ip:{request.remote_addr}"]
        locked = accounts.locked_for(storage(), keys)
        if locked is not None:
            minutes = max(1, int(locked.total_seconds() // 60) + 1)
            error, status = f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút.", 429
        else:
            account = accounts.authenticate(storage(), name, request.form.get("password", ""))
            if account is None:
                accounts.record_failure(storage(), keys)
                accounts.audit(storage(), name[:64] or "?", "login.failed", str(request.remote_addr or ""))
                error, status = "Tên đăng nhập hoặc mật khẩu không đúng.", 401
            else:
                accounts.clear_failures(storage(), keys[0])
                session.clear()
                session.update(aid=account.id, epoch=account.session_epoch, csrf=secrets.token_urlsafe(32))
                accounts.audit(storage(), account.name, "login")
                return redirect(_safe_next(request.args.get("next", "")))
    return render_template("console/login.html", error=error, username=name), status


def _safe_next(target: str) -> str:
    """Only a console path: never an outside address taken from the query string."""
    if target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("console.dashboard.index")


def logout() -> Any:
    if g.account is not None:
        accounts.audit(storage(), g.account.name, "logout")
    session.clear()
    return redirect(url_for("console.login"))


def _context() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "allowed": allowed, "role_labels": accounts.ROLE_LABELS}


ERROR_TITLES = {400: "Yêu cầu không hợp lệ", 403: "Không có quyền truy cập", 404: "Không tìm thấy trang",
                409: "Không thực hiện được", 429: "Tạm khóa"}
ERROR_TEXTS = {403: "Vai trò của bạn không được dùng trang này. Hãy liên hệ quản trị viên nếu cần quyền.",
               404: "Trang hoặc mục bạn tìm không có (có thể đã bị xóa)."}


def error_page(exc: Any) -> Any:
    code = getattr(exc, "code", 500) or 500
    description = getattr(exc, "description", "")
    text = description if description and not description.startswith(("The ", "You ")) else ERROR_TEXTS.get(code, "")
    return render_template("console/error.html", code=code, title=ERROR_TITLES.get(code, "Lỗi"), text=text), code
