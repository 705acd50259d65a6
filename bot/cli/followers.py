"""`python -m bot followers sync`: import the OA's existing followers from Zalo's user list.

Needed once when the OA had followers before the bot: campaigns only reach citizens the bot
knows. `--details` also reads each follower's profile (name, last interaction date), one call
per follower at the campaign rate, so consultation campaigns can reach those inside the 7-day window.
"""

from __future__ import annotations

import argparse
import sys
from zoneinfo import ZoneInfo

from bot.campaigns.followers import sync_followers
from bot.campaigns.ratelimit import Pacer
from bot.campaigns.service import make_zalo
from bot.config import load_config
from bot.storage import Storage


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("followers", help="OA followers", description=__doc__)
    commands = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sync = commands.add_parser("sync", help="import followers through Zalo's user list API (paged)")
    sync.add_argument("--details", action="store_true", help="also read each follower's profile (slower)")
    sync.set_defaults(func=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    config = load_config()
    storage = Storage(config.database)
    storage.migrate()
    zalo = make_zalo(config, storage)
    if getattr(zalo, "sandbox", False):
        print("Chế độ thử (sandbox): chưa có thông tin kết nối Zalo nên không có ai để nhập.", file=sys.stderr)
    result = sync_followers(storage, zalo, details=args.details, pacer=Pacer(config.campaigns.rate_per_second),
                            tz=ZoneInfo(config.timezone),
                            progress=lambda done, total: print(f"\r{done}/{total}", end="", file=sys.stderr))
    print(f"\nZalo báo {result.listed} người quan tâm; đã nhập {result.imported} ({result.new} người mới),"
          f" {result.unfollowed} người được đánh dấu đã bỏ quan tâm.")
    if not result.complete:
        print("Zalo chỉ cho đọc khoảng 10.000 người đầu danh sách; số còn lại chưa nhập được.", file=sys.stderr)
    return 0
