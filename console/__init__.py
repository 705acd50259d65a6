"""The web console for officers and staff, served by the bot itself under /console/.

Server-rendered Vietnamese pages over the same service functions the CLI and the admin API use;
every style and script comes from console/static (no CDN: it must work on an intranet).
Each page group is one blueprint module, nested under the `console` blueprint whose hooks
(console/auth.py) check the session, the CSRF token and the role for all of them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, redirect, request, session, url_for
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from bot import accounts
from console import auth, campaigns, dashboard, knowledge, reports, tickets, users
from console.format import register_filters

PAGES: list[Blueprint] = [dashboard.blueprint, campaigns.blueprint, reports.blueprint, tickets.blueprint,
                          knowledge.blueprint, users.blueprint]


def register_console(app: Flask) -> None:
    runtime = app.extensions["runtime"]
    config = runtime.config
    app.secret_key = config.secrets.console_secret or accounts.session_secret(runtime.storage)
    app.config.update(SESSION_COOKIE_NAME="console_session", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_PATH="/console")
    app.session_interface = auth.SecureWhenHttps()
    if config.console.trust_forwarded_proto:
        # Flask's documented way to wrap its WSGI app, which mypy reads as overwriting a method:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    console = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
                        static_folder="static", static_url_path="/static")
    auth.install(console)
    for page in PAGES:
        console.register_blueprint(page)
    app.register_blueprint(console)
    register_filters(app, config)
    app.add_url_rule("/", "root", lambda: redirect(url_for("console.dashboard.index")))
    app.register_error_handler(404, _not_found)


def _not_found(exc: NotFound) -> Any:
    """Unknown /console/ addresses get the console's Vietnamese page; others stay as they were."""
    if request.path.startswith("/console/") and session.get("aid") is not None:
        return auth.error_page(exc)
    return exc
