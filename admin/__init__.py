"""JSON admin API under /admin/api/, for officers' and staff tools.

Protected by BOT_ADMIN_TOKEN sent as `Authorization: Bearer <token>`, compared in constant time.
With no token configured there is no admin API at all (404), rather than an open one.
Each resource lives in its own module with a `blueprint`, listed in RESOURCES.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.json.provider import DefaultJSONProvider

from admin import campaigns, handoffs, tickets
from admin.params import BadQuery, refuse

# resource blueprints, nested under /admin/api
RESOURCES: list[Blueprint] = [tickets.blueprint, handoffs.blueprint, campaigns.blueprint]


def register_admin(app: Flask, admin_token: str) -> None:
    if not admin_token:
        return
    assert isinstance(app.json, DefaultJSONProvider), "app.py installs LimitedJSON, a DefaultJSONProvider"
    app.json.ensure_ascii = False  # officers read Vietnamese, not \u escapes
    api = Blueprint("admin_api", __name__, url_prefix="/admin/api")
    api.before_request(_require_token)
    api.register_error_handler(BadQuery, refuse)
    api.add_url_rule("/health", "health", _health)
    for resource in RESOURCES:
        api.register_blueprint(resource)
    app.register_blueprint(api)


def _require_token():
    expected = current_app.extensions["runtime"].config.secrets.admin_token
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        return jsonify(ok=False, error="missing or invalid admin token"), 401
    return None


def _health():
    return jsonify(current_app.extensions["runtime"].health())
