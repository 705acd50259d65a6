"""Command line: one module per command group, registered here in one visible list.

Each module exposes `register(subparsers)`, which adds its sub-command(s) and sets
`func(args) -> int` as the handler. Commands load config themselves so that `--help` works
without a valid config.
"""

from __future__ import annotations

import argparse
import logging
import sys

from bot.cli import ask, campaigns, chat, followers, handoffs, kb, scheduler, serve, tickets, users, worker
from bot.config import ConfigError

COMMANDS = [serve, worker, chat, ask, kb, tickets, handoffs, campaigns, followers, scheduler, users]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Trợ lý ảo CCHC — Zalo OA assistant")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("urllib3").setLevel(logging.INFO)  # its debug lines carry URLs with citizens' ids
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
