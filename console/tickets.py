"""Feedback tickets (PA-…) and conversations handed to staff (staff and admins).

Replies go through `bot/services/tickets.py` (`answer`), the same function as `tickets reply|close` and the
admin API, so the 7-day window rule is applied in one place; the page only explains it first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from bot import inbox, outbox
from bot.clock import utc_now
from bot.conversations import citizens, staff_replies, tickets
from bot.services import handoffs as staff_handoffs
from bot.services import tickets as staff_tickets
from console import auth

blueprint = Blueprint("tickets", __name__, url_prefix="/tickets")
blueprint.before_request(auth.require("support"))
FILTERS = {"": "Chưa đóng", "open": "Chờ xử lý", "answered": "Đã phản hồi", "closed": "Đã đóng", "all": "Tất cả"}
OUTCOMES = {"sent": "Đã gửi câu trả lời tới người dân trên Zalo.",
            "held": "Người dân chưa nhắn tin trong 7 ngày qua: câu trả lời được giữ lại và sẽ tự gửi khi họ nhắn lại.",
            "failed": "Gửi không thành công; câu trả lời đã được lưu, hãy thử lại sau.",
            "closed": "Đã đóng phản ánh."}


def _runtime() -> Any:
    return current_app.extensions["runtime"]


def _deadline(ticket: tickets.Ticket) -> tuple[datetime, bool]:
    due = datetime.fromisoformat(ticket.created_at) + timedelta(days=_runtime().config.reports.ticket_deadline_days)
    return due, ticket.status != "closed" and due < utc_now()


@blueprint.get("/")
def index():
    runtime = _runtime()
    status = request.args.get("status", "")
    query = request.args.get("q", "").strip().lower()
    found = tickets.listing(runtime.storage, status or None, limit=500)
    if query:
        found = [t for t in found if query in f"{t.code} {t.topic} {t.content}".lower()]
    rows = [{"t": t, "due": _deadline(t)[0].isoformat(), "overdue": _deadline(t)[1]} for t in found]
    if request.args.get("overdue") == "1":
        rows = [r for r in rows if r["overdue"]]
    open_handoffs = staff_handoffs.listing(runtime.storage, runtime.config, utc_now())
    return render_template("console/tickets.html", rows=rows, filters=FILTERS, status=status, q=query,
                           overdue=request.args.get("overdue") == "1", handoffs=open_handoffs)


@blueprint.get("/<code>")
def show(code: str, text: str = "", error: str = "", status: int = 200):
    runtime = _runtime()
    ticket = tickets.get(runtime.storage, code)
    if ticket is None:
        abort(404, f"Không có phản ánh {code}.")
    citizen = citizens.get(runtime.storage, ticket.user_id) if ticket.user_id else None
    due, overdue = _deadline(ticket)
    return render_template(
        "console/ticket.html", t=ticket, replies=tickets.replies(runtime.storage, ticket.id), due=due.isoformat(),
        overdue=overdue, last_contact=citizen and citizen.get("last_interaction_at"),
        in_window=staff_replies.in_window(runtime.storage, ticket.user_id, utc_now()), text=text, error=error), status


@blueprint.post("/<code>/reply")
def reply(code: str):
    text = request.form.get("text", "")
    close = request.form.get("close") == "1"
    if not text.strip():
        return show(code, text, "Nhập nội dung trả lời trước khi gửi.", 400)
    return _respond(code, text, close)


@blueprint.post("/<code>/close")
def close(code: str):
    return _respond(code, "", True)


def _respond(code: str, text: str, close: bool):
    runtime = _runtime()
    try:
        outcome = staff_tickets.answer(runtime.outbox, runtime.config, code, text, utc_now(),
                                       staff=auth.actor(), close=close)
    except staff_tickets.TicketNotFound:
        abort(404, f"Không có phản ánh {code}.")
    except staff_tickets.ReplyError:
        return show(code, text, "Phản ánh này đã được ẩn danh theo yêu cầu của người dân: không thể trả lời qua Zalo.", 409)
    auth.audit("tickets.close" if outcome == "closed" else "tickets.reply", code.upper(),
               f"{outcome}{', đóng' if close and outcome != 'closed' else ''}")
    flash(OUTCOMES[outcome] + (" Phản ánh đã được đóng." if close and outcome != "closed" else ""),
          "error" if outcome == "failed" else "ok")
    return redirect(url_for(".show", code=code.upper()))


@blueprint.get("/handoffs/<user_id>")
def handoff(user_id: str):
    runtime = _runtime()
    found = [h for h in staff_handoffs.listing(runtime.storage, runtime.config, utc_now(), include_closed=True)
             if h["user_id"] == user_id]
    if not found:
        abort(404, "Không có cuộc trò chuyện chuyển cán bộ nào với người dân này.")
    messages = inbox.conversation(runtime.storage, user_id) + outbox.sent_to(runtime.storage, user_id)
    messages.sort(key=lambda m: m["at"])
    return render_template("console/handoff.html", h=found[0], messages=messages[-100:],
                           citizen=citizens.get(runtime.storage, user_id))


@blueprint.post("/handoffs/<user_id>/close")
def close_handoff(user_id: str):
    if staff_handoffs.close(_runtime().storage, user_id, utc_now()):
        auth.audit("handoffs.close", user_id)
        flash("Đã kết thúc; trợ lý ảo sẽ trả lời người dân này từ tin nhắn tiếp theo.")
    else:
        flash("Cuộc trò chuyện này không còn mở.", "error")
    return redirect(url_for(".index"))
