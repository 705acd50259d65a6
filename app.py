"""Flask application factory: HTTP transport only.

`POST /webhook`: raw body → signature (401) → parse (400) → freshness (400) → durable inbox → 200.
The signature covers a field inside the body (its timestamp): a non-recursive scan with size and
depth limits reads it from the raw bytes (400 when the body cannot be an event), so nothing is
parsed before the sender is authenticated.
The answer is computed afterwards by the inbox workers, so Zalo gets its 200 well within 2 s.
`gunicorn app:app` finds the module-level `app`, created on first access, never at import.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider

from admin import register_admin
from bot import safejson
from bot.config import Config, load_config
from bot.events import EventError, decode, parse_event, signed_fields
from bot.runtime import Runtime
from bot.signature import signed_by
from console import register_console


def create_app(config: Config | None = None, *, zalo: Any = None, start_background: bool = True) -> Flask:
    config = config or load_config()
    runtime = Runtime(config, zalo=zalo)
    app = Flask(__name__)
    app.json = LimitedJSON(app)
    app.config["MAX_CONTENT_LENGTH"] = config.server.max_body_bytes
    app.extensions["runtime"] = runtime
    max_age_ms = config.server.event_max_age_hours * 3600 * 1000

    @app.post("/webhook")
    def webhook():
        secrets = config.secrets
        if not secrets.webhook_ready:
            return _error(503, "webhook not configured: set ZALO_APP_ID and ZALO_OA_SECRET_KEY")
        signature = request.headers.get("X-ZEvent-Signature")
        if not signature:
            return _error(401, "missing X-ZEvent-Signature")
        raw = request.get_data(cache=False)
        try:
            timestamp, oa_id = signed_fields(raw)
            signer = signed_by(signature, [secrets.app_id, oa_id], raw, timestamp, secrets.oa_secret_key)
            if signer is None:
                return _error(401, "invalid signature")
            if signer != secrets.app_id:
                log.debug("webhook signed with the OA id rather than the App id")
            event = parse_event(decode(raw))
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _error(400, "body must be UTF-8 JSON")
        except EventError as exc:
            return _error(400, str(exc))
        if time.time() * 1000 - event.timestamp_ms > max_age_ms:
            return _error(400, "event too old")
        if runtime.inbox.add(event, body):
            runtime.workers.wake.set()
        return ACK

    @app.get("/healthz")
    def healthz():
        return jsonify(runtime.health())

    @app.errorhandler(413)
    def too_large(_exc):
        return _error(413, "body too large")

    register_admin(app, config.secrets.admin_token)
    register_console(app)
    if start_background:
        runtime.start(events=not config.server.worker_process)
    return app


class LimitedJSON(DefaultJSONProvider):
    """`request.get_json()` (the admin API's bodies) with the same size and depth limits as the
    webhook: a refusal is a ValueError, which Flask turns into 400 (or None when silent)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return safejson.loads(s)


ACK = ({"ok": True}, 200)
log = logging.getLogger(__name__)


def _error(status: int, message: str):
    return jsonify(ok=False, error=message), status


def __getattr__(name: str) -> Flask:
    """Module-level `app` for WSGI servers (`gunicorn app:app`), built on first access."""
    if name == "app":
        globals()["app"] = instance = create_app()
        return instance
    raise AttributeError(name)
