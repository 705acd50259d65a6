"""`python -m bot followers sync`: import the OA's existing followers from Zalo's user list.

Needed once when the OA had followers before the bot: campaigns only reach citizens the bot
knows. `--details` also reads each follower's profile (name, last interaction date), one call
per follower at the campaign rate, so consultation campaigns can reach those inside the 7-day window.
"""

from __future__ import annotations

import argparse
import sys
from zoneinfo import ZoneInfo

from bot.campaigns import labels
from bot.campaigns.followers import SyncResult, sync_followers
from bot.campaigns.ratelimit import Pacer
from bot.config import load_config
from bot.wiring import open_storage, zalo_client


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("followers", help="OA followers", description=__doc__)
    commands = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sync = commands.add_parser("sync", help="import followers through Zalo's user list API (paged)")
    sync.add_argument("--details", action="store_true", help="also read each follower's profile (slower)")
    sync.set_defaults(func=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    config = load_config()
    storage = open_storage(config)
    zalo = zalo_client(config, storage)
    result = sync_followers(storage, zalo, details=args.details, pacer=Pacer(config.campaigns.rate_per_second),
                            tz=ZoneInfo(config.timezone),
                            progress=lambda done, total: print(f"\r{done}/{total}", end="", file=sys.stderr))
    for line in describe(result):
        print(line)
    return 0 if result.complete or result.stopped_by == "sandbox" else 1


def describe(result: SyncResult) -> list[str]:
    """What was and was not synced, in the officer's words."""
    if result.stopped_by == "sandbox":
        return ["Chế độ thử (sandbox): chưa có thông tin kết nối Zalo nên không có gì để đồng bộ;"
                " không thay đổi ai trong danh sách người quan tâm."]
    lines = [f"\nZalo báo {result.listed} người quan tâm; đã đọc và nhập {result.imported} người"
             f" ({result.new} người mới)."]
    if result.complete:
        lines.append(f"Đã đọc hết danh sách: {result.unfollowed} người không còn trong danh sách được đánh dấu"
                     " đã bỏ quan tâm.")
    else:
        missing = max(result.listed - result.imported, 0)
        lines.append(f"Danh sách chưa đọc hết ({labels.reason(result.stopped_by)}"
                     f"{': ' + result.error if result.error else ''}).")
        lines.append(f"Chưa đồng bộ{f' khoảng {missing} người' if missing else ' phần còn lại'}; không ai bị đánh dấu"
                     " đã bỏ quan tâm. Chạy lại lệnh khi Zalo hoạt động bình thường.")
    if result.details_read or (result.error and result.stopped_by is None):
        lines.append(f"Đã đọc hồ sơ của {result.details_read} người"
                     f"{'; dừng vì ' + result.error if result.error else ''}.")
    return lines
