"""`python -m bot report`: the periodic report the province asks for (docs/reports.md).

    python -m bot report --period 2026-12|2026-Q4|2026 [--from DATE --to DATE]
                         [--format json|xlsx|html] [--output FILE] [--database PATH]

JSON goes to standard output unless --output is given; xlsx needs --output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.config import load_config
from bot.reports.build import build_report
from bot.reports.html import render_html
from bot.reports.period import PeriodError, parse_period
from bot.wiring import open_storage


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="periodic report: citizens, questions, satisfaction, tickets, handoffs, campaigns",
        description="Báo cáo định kỳ (tháng, quý, năm) kết quả hoạt động của Zalo OA; docs/reports.md mô tả từng số liệu.")
    parser.add_argument("--period", help="2026-12 (tháng), 2026-Q4 (quý) hoặc 2026 (năm)")
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="ngày đầu (YYYY-MM-DD), cùng với --to")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="ngày cuối, tính cả ngày này")
    parser.add_argument("--format", choices=("json", "xlsx", "html"), default="json")
    parser.add_argument("--output", metavar="FILE", help="write here (default: standard output; required for xlsx)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        period = parse_period(args.period, args.date_from, args.date_to)
    except PeriodError as exc:
        print(f"lỗi: {exc}", file=sys.stderr)
        return 2
    if args.format == "xlsx" and not args.output:
        print("lỗi: --format xlsx cần --output TỆP.xlsx", file=sys.stderr)
        return 2
    config = load_config()
    storage = open_storage(config)
    report = build_report(storage, config, period)
    if args.format == "xlsx":
        from bot.reports.xlsx import write_xlsx  # openpyxl only when a workbook is asked for

        write_xlsx(report, args.output)
        print(f"Đã ghi {args.output}", file=sys.stderr)
        return 0
    text = (render_html(report) if args.format == "html"
            else json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Đã ghi {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
