"""`python -m bot campaigns …`: add, list, show, pause, resume, cancel, send-now and report campaigns.

Campaign files are described in campaigns/README.md. `send-now` delivers in this process with a
progress bar (resuming an unfinished run first, e.g. after a crash); the scheduler of
`python -m bot serve` delivers scheduled runs on its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.campaigns import labels
from bot.campaigns.service import Added, CampaignActionError, Campaigns, SendNow, open_campaigns
from bot.campaigns.yamlsource import CampaignError
from bot.config import load_config

FINISHED = ("done", "failed", "cancelled", "paused", "waiting")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("campaigns", help="scheduled broadcast campaigns", description=__doc__)
    commands = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = commands.add_parser("add", help="validate and add (or update) campaign YAML files or directories")
    add.add_argument("paths", nargs="+", metavar="FILE")
    add.add_argument("--check", action="store_true", help="only validate, store nothing")
    add.set_defaults(func=_add)
    commands.add_parser("list", help="campaigns, status and next run").set_defaults(func=_list)
    for name, helptext in (("show", "details, runs and history"), ("pause", "pause sending and the schedule"),
                           ("resume", "start a draft's schedule, or continue a paused or failed campaign"),
                           ("cancel", "stop for good; what was not sent is recorded as skipped"),
                           ("delete", "remove a cancelled campaign with its runs, delivery records and history")):
        sub = commands.add_parser(name, help=helptext)
        sub.add_argument("id")
        if name == "show":
            sub.add_argument("--json", action="store_true", help="the raw record (codes, UTC times) as JSON")
        sub.set_defaults(func=_simple)
    send = commands.add_parser("send-now", help="deliver now, with a progress bar")
    send.add_argument("id")
    send.add_argument("--dry-run", action="store_true", help="show who would receive it and who is skipped, why")
    send.add_argument("--limit", type=int, default=50, help="people listed by --dry-run (default 50)")
    send.add_argument("--again", action="store_true",
                      help="send a one-off campaign that already went out again, to its whole audience")
    send.set_defaults(func=_send_now)
    rep = commands.add_parser("report", help="counts by status and reason (latest run unless --run)")
    rep.add_argument("id")
    rep.add_argument("--run", type=int, help="run id (see `show`)")
    rep.add_argument("--csv", action="store_true", help="one line per recipient, CSV on standard output")
    rep.add_argument("--summary", action="store_true", help="with --csv: one line per run of the campaign and the totals")
    rep.add_argument("--machine", action="store_true", help="with --csv: the machine-readable column names and codes")
    rep.set_defaults(func=_report)


def _guard(action: Any) -> int:
    try:
        return action()
    except CampaignError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 1
    except CampaignActionError as exc:
        print(f"Không thực hiện được: {exc}", file=sys.stderr)
        return 1


def _add(args: argparse.Namespace) -> int:
    campaigns = open_campaigns(load_config())

    def check() -> int:
        for path in args.paths:
            for added in campaigns.check_path(path):
                _print_added(f"{added.id}: hợp lệ", added)
        return 0

    def add() -> int:
        for path in args.paths:
            for added in campaigns.add_path(path):
                status = campaigns.row(added.id)["status"]
                _print_added(f"{added.id}: {labels.status(added.outcome)} ({labels.status(status)})", added)
        return 0
    return _guard(check if args.check else add)


def _print_added(head: str, added: Added) -> None:
    print(f"{head}; {added.timing.describe()}")
    for warning in added.timing.warnings:
        print(f"  Cảnh báo: {warning}")


def _list(args: argparse.Namespace) -> int:
    rows = open_campaigns(load_config()).list()
    if not rows:
        print("Chưa có chiến dịch nào. Thêm bằng: python -m bot campaigns add campaigns/")
    for row in rows:
        print(f"{row['id']:<32} {labels.status(row['status']):<22} {row['channel']:<13}"
              f" gửi lúc: {row['sends_at'] or '—':<17} {row['title']}")
    return 0


def _simple(args: argparse.Namespace) -> int:
    campaigns = open_campaigns(load_config())
    if args.action == "show" and args.json:
        return _guard(lambda: print(json.dumps(campaigns.show(args.id), ensure_ascii=False, indent=2)) or 0)
    if args.action == "show":
        return _guard(lambda: _print_show(campaigns.show(args.id), campaigns.tz))
    return _guard(lambda: print(getattr(campaigns, args.action)(args.id)) or 0)


def _send_now(args: argparse.Namespace) -> int:
    campaigns = open_campaigns(load_config())
    if args.dry_run:
        return _guard(lambda: _print_dry_run(campaigns.dry_run(args.id, args.limit)))
    return _guard(lambda: _start(campaigns, campaigns.send_now(args.id, again=args.again)))


def _start(campaigns: Campaigns, started: SendNow) -> int:
    print(started.describe())
    return _deliver(campaigns, started.run_id)


def _print_dry_run(plan: dict[str, Any]) -> int:
    if plan["channel"] == "article":
        print(f"Tin bài phát rộng, bộ lọc {plan['target'] or 'không có'}: {plan['note']}.")
        return 0
    counts = plan["counts"]
    print(f"Sẽ gửi: {counts.pop('send', 0)} người (trong đó {plan['free_48h']} trong 48 giờ miễn phí)")
    for reason, count in sorted(counts.items()):
        print(f"Bỏ qua ({labels.reason(reason)}): {count}")
    for person in plan["sample"]:
        print(f"  {person['user_id']:<24} {labels.reason(person['decision']):<38} {person['display_name']}")
    return 0


def _deliver(campaigns: Campaigns, run_id: int) -> int:
    outcome: dict[str, str] = {}
    worker = threading.Thread(target=lambda: outcome.update(status=campaigns.runner.deliver(run_id)), daemon=True)
    worker.start()
    try:
        while worker.is_alive() or (outcome.get("status") == "busy" and
                                    campaigns.run_status(run_id)[0] not in FINISHED):
            _progress(campaigns, run_id, final=False)
            time.sleep(0.2)
    except KeyboardInterrupt:
        campaigns.runner.stop()
        print("\nĐã dừng; chạy lại lệnh này để gửi tiếp.", file=sys.stderr)
        return 130
    status, resume_at = _progress(campaigns, run_id, final=True)
    if outcome.get("status") == "busy":
        print("(lượt gửi do tiến trình khác thực hiện)", file=sys.stderr)
    tail = f", tiếp tục lúc {resume_at}" if resume_at else ""
    print(f"Lượt gửi {run_id}: {labels.status(status)}{tail}. Xem: python -m bot campaigns report …")
    return 1 if status == "failed" else 0


def _progress(campaigns: Campaigns, run_id: int, *, final: bool) -> tuple[str, str | None]:
    status, resume_at, counts = campaigns.run_status(run_id)
    total = sum(counts.values())
    done = total - counts.get("pending", 0) - counts.get("sending", 0)
    width = 30
    filled = width * done // total if total else width
    parts = ", ".join(f"{labels.status(k)} {v}" for k, v in sorted(counts.items()) if k not in ("pending", "sending"))
    line = f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total} {parts}"
    if sys.stderr.isatty():
        print("\r" + line, end="\n" if final else "", file=sys.stderr, flush=True)
    elif final or int(time.monotonic() * 5) % 10 == 0:  # not a terminal: a line every ~2 s
        print(line, file=sys.stderr, flush=True)
    return status, resume_at


def _print_show(shown: dict[str, Any], tz: ZoneInfo) -> int:
    """`show` for an officer: Vietnamese words and local times (`--json` keeps codes and UTC)."""
    print(f"Chiến dịch {shown['id']}: {shown['title']}")
    print(f"  Trạng thái: {labels.status(shown['status'])}{'' if shown['enabled'] else ' (chưa bật lịch)'}")
    print(f"  Kênh: {shown['channel']}; đối tượng: {shown['audience']}")
    print(f"  Lịch: {shown['schedule']}; lần gửi tới: {shown['sends_at'] or '—'}")
    if shown["source"]:
        print(f"  Tệp: {shown['source']}")
    if shown["runs"]:
        print("Các lượt gửi:")
    for run in shown["runs"]:
        why = f" ({labels.reason(run['reason'])})" if run["reason"] else ""
        times = "".join([f", bắt đầu {_local(run['started_at'], tz)}" if run["started_at"] else "",
                         f", xong {_local(run['finished_at'], tz)}" if run["finished_at"] else "",
                         f", tiếp tục lúc {_local(run['resume_at'], tz)}" if run["resume_at"] else ""])
        counts = ", ".join(f"{labels.status(k)} {v}" for k, v in sorted(run["counts"].items()))
        print(f"  Lượt {run['id']} ({labels.status(run['trigger'])}, lịch {_local(run['scheduled_for'], tz)}):"
              f" {labels.status(run['status'])}{why}{times}{'; ' + counts if counts else ''}")
    if shown["history"]:
        print("Lịch sử:")
    for item in shown["history"]:
        print(f"  {_local(item['at'], tz)}  {labels.status(item['event'])}{': ' + item['detail'] if item['detail'] else ''}")
    return 0


def _local(stamp: str, tz: ZoneInfo) -> str:
    return f"{datetime.fromisoformat(stamp).astimezone(tz):%H:%M %d/%m/%Y}"


def _report(args: argparse.Namespace) -> int:
    campaigns = open_campaigns(load_config())
    if args.csv:
        return _guard(lambda: campaigns.report_csv(args.id, args.run, sys.stdout, machine=args.machine,
                                                   summary=args.summary) and 0)
    return _guard(lambda: _print_report(campaigns.report(args.id, args.run)))


def _print_report(result: dict[str, Any]) -> int:
    run = result["run"] or {}
    print(f"Lượt gửi {result['run_id']} ({labels.status(run.get('trigger'))}, {labels.status(run.get('status'))}"
          f"{', ' + labels.reason(run['reason']) if run.get('reason') else ''}): {result['total']} người")
    if run.get("broadcast_state"):
        print(f"  Phát rộng tin bài: {run['broadcast_state']} {run.get('broadcast_message_id') or ''}")
    for status, count in sorted(result["by_status"].items()):
        print(f"  {labels.status(status)}: {count}")
    for item in result["by_reason"]:
        print(f"    {labels.status(item['status'])} ({labels.reason(item['reason'])}): {item['count']}")
    print(f"  Đã gửi trong 48 giờ miễn phí: {result['free_48h']}; 48 giờ–7 ngày (tính phí): {result['billed_48h_7d']}")
    if result.get("note"):
        print(f"  {result['note']}")
    else:
        shares = result["shares"]
        print("  Đã nhận {received}, đã xem {seen}, đã trả lời {replied}, đã bấm nút {clicked}".format(**result)
              + (f" (trên {result['delivered']} tin đã gửi: xem {_pct(shares['seen'])}, trả lời {_pct(shares['replied'])},"
                 f" bấm nút {_pct(shares['clicked'])})" if result["delivered"] else ""))
    totals = result["totals"]
    if len(result["runs"]) > 1 and totals["delivered"] is not None:
        print(f"  Cả chiến dịch ({len(result['runs'])} lượt): {totals['recipients']} người nhận, đã gửi {totals['delivered']},"
              f" đã nhận {totals['received']}, đã xem {totals['seen']}, đã trả lời {totals['replied']},"
              f" đã bấm nút {totals['clicked']}")
    for missed in result["missed"]:
        print(f"  Bỏ lỡ lần {missed['scheduled_for']}: {missed['reason']}")
    return 0


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.1f}".replace(".", ",") + " %"
