"""Admin API for feedback tickets (the same operations as `python -m bot tickets`).

GET  /tickets?status=open|answered|closed|all  → {"tickets": [...]}; default: not closed
GET  /tickets/<code>                            → the ticket with "replies"
POST /tickets/<code>/reply  {"text", "staff"?, "close"?}  → {"delivery": "sent"|"held"|"failed"}
POST /tickets/<code>/close  {"text"?, "staff"?}           → closes; with text, sends it as a last reply
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from admin.params import query_int
from bot.clock import utc_now
from bot.services import tickets

blueprint = Blueprint("tickets", __name__, url_prefix="/tickets")


@blueprint.get("")
def list_tickets():
    status = request.args.get("status")
    if status not in (None, "all", *tickets.STATUSES):
        return jsonify(ok=False, error=f"status must be one of {', '.join(tickets.STATUSES)}, all"), 400
    found = tickets.listing(_runtime().storage, status, limit=query_int("limit", 200, minimum=1, maximum=1000))
    return jsonify(tickets=[t.to_json() for t in found])


@blueprint.get("/<code>")
def show_ticket(code: str):
    found = tickets.show(_runtime().storage, code)
    if found is None:
        return jsonify(ok=False, error=f"no ticket {code}"), 404
    ticket, replies = found
    return jsonify({**ticket.to_json(), "replies": replies})


@blueprint.post("/<code>/reply")
def reply_ticket(code: str):
    body = request.get_json(silent=True) or {}
    text = str(body.get("text") or "").strip()
    if not text:
        return jsonify(ok=False, error="text is required"), 400
    return _answer(code, text, str(body.get("staff") or ""), close=bool(body.get("close")))


@blueprint.post("/<code>/close")
def close_ticket(code: str):
    body = request.get_json(silent=True) or {}
    return _answer(code, str(body.get("text") or ""), str(body.get("staff") or ""), close=True)


def _answer(code: str, text: str, staff: str, *, close: bool):
    runtime = _runtime()
    try:
        outcome = tickets.answer(runtime.outbox, runtime.config, code, text, utc_now(), staff=staff, close=close)
    except tickets.ReplyError as exc:
        return jsonify(ok=False, error=str(exc)), 404 if isinstance(exc, tickets.TicketNotFound) else 409
    if outcome == "closed":
        found = tickets.show(runtime.storage, code)
        return jsonify(ok=True, ticket=found[0].to_json() if found else None)
    return jsonify(ok=outcome != "failed", delivery=outcome)


def _runtime():
    return current_app.extensions["runtime"]
