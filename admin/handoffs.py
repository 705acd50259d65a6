"""Admin API for conversations handed to staff (the same operations as `python -m bot handoffs`).

GET  /handoffs?all=1             → {"handoffs": [...]}: open ones (all=1: closed too), newest first
POST /handoffs/<user_id>/close   → gives the conversation back to the bot
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from bot.clock import utc_now
from bot.services import handoffs

blueprint = Blueprint("handoffs", __name__, url_prefix="/handoffs")


@blueprint.get("")
def list_handoffs():
    runtime = current_app.extensions["runtime"]
    rows = handoffs.listing(runtime.storage, runtime.config, utc_now(), include_closed=request.args.get("all") == "1")
    return jsonify(handoffs=rows)


@blueprint.post("/<user_id>/close")
def close_handoff(user_id: str):
    if not handoffs.close(current_app.extensions["runtime"].storage, user_id, utc_now()):
        return jsonify(ok=False, error="no open handoff for this citizen"), 404
    return jsonify(ok=True)
