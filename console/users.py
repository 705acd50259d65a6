"""Accounts and the audit trail (admins only): add, disable/enable, change role, reset password."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from bot import accounts
from console import auth

blueprint = Blueprint("users", __name__, url_prefix="/users")
blueprint.before_request(auth.require("users"))


def _page(form: dict[str, str] | None = None, error: str = "", status: int = 200):
    return render_template("console/users.html", accounts=accounts.listing(auth.storage()), roles=accounts.ROLES,
                           form=form or {}, error=error, audit=accounts.audit_log(auth.storage(), 200)), status


@blueprint.get("/")
def index():
    return _page()


@blueprint.post("/")
def add():
    form = {k: request.form.get(k, "") for k in ("name", "role")}
    try:
        accounts.add(auth.storage(), form["name"], form["role"], request.form.get("password", ""), actor=auth.actor())
    except accounts.AccountError as exc:
        return _page(form, f"Không tạo được: {exc}.", 400)
    flash(f"Đã tạo tài khoản {form['name'].strip()}.")
    return redirect(url_for(".index"))


@blueprint.post("/<name>")
def change(name: str):
    action = request.form.get("action", "")
    storage = auth.storage()
    target = accounts.get(storage, name)
    try:
        if target is None:
            raise accounts.AccountError(f"không có tài khoản `{name}`")
        if action in ("disable", "role") and target.role == "admin" and name == g.account.name:
            raise accounts.AccountError("không thể tự khóa hoặc tự bỏ quyền quản trị của chính mình")
        if action == "disable":
            accounts.set_enabled(storage, name, False, actor=auth.actor())
        elif action == "enable":
            accounts.set_enabled(storage, name, True, actor=auth.actor())
        elif action == "role":
            accounts.set_role(storage, name, request.form.get("role", ""), actor=auth.actor())
        elif action == "password":
            accounts.set_password(storage, name, request.form.get("password", ""), actor=auth.actor())
        else:
            raise accounts.AccountError("thao tác không hợp lệ")
    except accounts.AccountError as exc:
        flash(f"{name}: {exc}.", "error")
        return redirect(url_for(".index"))
    flash(f"Đã cập nhật tài khoản {name}.")
    return redirect(url_for(".index"))
