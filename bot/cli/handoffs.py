"""`python -m bot handoffs`: conversations handed to staff, during which the bot stays silent.

- `handoffs list [--all] [--json]`: open handoffs (with --all, closed ones too), newest first.
  Handoffs whose staff stayed silent past `conversations.handoff_timeout_hours` are closed first.
- `handoffs close USER_ID`: give the conversation back to the bot; the citizen is told so
  before the bot's next answer.
"""

from __future__ import annotations

import argparse
import json

from bot.clock import utc_now
from bot.config import load_config
from bot.services import handoffs
from bot.wiring import open_storage


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("handoffs", help="list and close conversations handed to staff",
                                   description="Conversations handed to staff (the bot is silent for them).")
    commands = parser.add_subparsers(dest="handoffs_command", metavar="SUBCOMMAND", required=True)
    listing = commands.add_parser("list", help="list open handoffs")
    listing.add_argument("--all", action="store_true", help="include closed handoffs")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)
    close = commands.add_parser("close", help="end a handoff: the bot answers this citizen again")
    close.add_argument("user_id", help="the citizen's Zalo id, as listed")
    close.set_defaults(func=run_close)


def run_list(args: argparse.Namespace) -> int:
    config = load_config()
    rows = handoffs.listing(open_storage(config), config, utc_now(), include_closed=args.all)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        closed = f"  đóng {row['closed_at']} ({row['closed_by']})" if row["status"] == "closed" else ""
        print(f"{row['user_id']}  {row['display_name'] or '-'}  mở {row['opened_at']}"
              f"  hoạt động gần nhất {row['last_activity_at']}{closed}")
    print(f"{len(rows)} cuộc trò chuyện.")
    return 0


def run_close(args: argparse.Namespace) -> int:
    if handoffs.close(open_storage(load_config()), args.user_id, utc_now()):
        print("Đã kết thúc; trợ lý ảo sẽ trả lời người dân này từ tin nhắn tiếp theo.")
        return 0
    print("Không có cuộc trò chuyện nào đang chuyển cán bộ với người dân này.")
    return 1
