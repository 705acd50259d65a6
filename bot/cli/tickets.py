"""`python -m bot tickets`: staff handle citizens' feedback (phản ánh, kiến nghị).

- `tickets list [--status open|answered|closed|all] [--json]`: newest first; default: not closed.
- `tickets show CODE [--json]`: the ticket, its contact and images, and the replies with their delivery.
- `tickets reply CODE TEXT [--staff NAME] [--close]`: sent at once when the citizen wrote within
  Zalo's 7-day window, otherwise held and sent the next time they write. Exit 0 when sent or held.
- `tickets close CODE [--message TEXT] [--staff NAME]`: close, optionally with a last reply.
"""

from __future__ import annotations

import argparse
import json

from bot.clock import utc_now
from bot.config import load_config
from bot.conversations.tickets import STATUS_LABELS
from bot.services import tickets
from bot.storage import Storage
from bot.wiring import open_storage, outbox

DELIVERY = {"sent": "đã gửi tới người dân", "held": "người dân chưa nhắn tin trong 7 ngày: sẽ gửi khi họ nhắn lại",
            "failed": "gửi không thành công (xem `tickets show`)"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tickets", help="list, read, answer and close citizens' feedback tickets",
                                   description="Staff tools for feedback tickets (phản ánh, kiến nghị).")
    commands = parser.add_subparsers(dest="tickets_command", metavar="SUBCOMMAND", required=True)
    listing = commands.add_parser("list", help="list tickets, newest first")
    listing.add_argument("--status", choices=(*tickets.STATUSES, "all"), help="default: every ticket not closed")
    listing.add_argument("--limit", type=int, default=50, metavar="N")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)
    show = commands.add_parser("show", help="show one ticket and its replies")
    show.add_argument("code", help="ticket code, e.g. PA-2025-000123")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=run_show)
    reply = commands.add_parser("reply", help="answer the citizen on Zalo (held if outside the 7-day window)")
    reply.add_argument("code")
    reply.add_argument("text", help="the answer, in Vietnamese")
    reply.add_argument("--staff", default="", help="who answers (kept with the reply, not shown to the citizen)")
    reply.add_argument("--close", action="store_true", help="close the ticket with this reply")
    reply.set_defaults(func=run_reply)
    close = commands.add_parser("close", help="close a ticket")
    close.add_argument("code")
    close.add_argument("--message", help="a last reply to send to the citizen")
    close.add_argument("--staff", default="")
    close.set_defaults(func=run_close)


def _storage() -> Storage:
    return open_storage(load_config())


def run_list(args: argparse.Namespace) -> int:
    found = tickets.listing(_storage(), args.status, args.limit)
    if args.json:
        print(json.dumps([t.to_json() for t in found], ensure_ascii=False, indent=2))
        return 0
    for t in found:
        print(f"{t.code}  {t.status:<8}  {t.created_at[:10]}  {t.topic[:40]}  {t.content[:60]!r}")
    print(f"{len(found)} phản ánh.")
    return 0


def run_show(args: argparse.Namespace) -> int:
    found = tickets.show(_storage(), args.code)
    if found is None:
        print(f"Không có phản ánh {args.code}.")
        return 1
    ticket, replies = found
    if args.json:
        print(json.dumps({**ticket.to_json(), "replies": replies}, ensure_ascii=False, indent=2))
        return 0
    contact = ", ".join(filter(None, [ticket.contact_name, ticket.contact_phone])) or "-"
    print(f"{ticket.code} — {STATUS_LABELS[ticket.status]}\nGửi lúc: {ticket.created_at}\n"
          f"Người gửi (Zalo id): {ticket.user_id or 'đã ẩn danh'}\nLiên hệ: {contact}\nChủ đề: {ticket.topic}\n"
          f"Nội dung:\n{ticket.content}")
    for url in ticket.attachments:
        print(f"Hình ảnh: {url}")
    for r in replies:
        print(f"--- Trả lời {r['created_at']} ({r['staff'] or 'cán bộ'}, {r['status']}): {r['body']}")
    return 0


def run_reply(args: argparse.Namespace) -> int:
    return _answer(args.code, args.text, args.staff, close=args.close)


def run_close(args: argparse.Namespace) -> int:
    return _answer(args.code, args.message or "", args.staff, close=True)


def _answer(code: str, text: str, staff: str, *, close: bool) -> int:
    config = load_config()  # storage and Zalo only: answering a ticket needs no knowledge base
    try:
        status = tickets.answer(outbox(config, open_storage(config)), config, code, text, utc_now(),
                                staff=staff, close=close)
    except tickets.TicketNotFound:
        print(f"Không có phản ánh {code}.")
        return 1
    except tickets.ReplyError as exc:
        print(f"Không gửi được: {exc}")
        return 1
    print(f"Đã đóng {code.upper()}." if status == "closed" else f"{code.upper()}: {DELIVERY[status]}.")
    return 0 if status != "failed" else 1
