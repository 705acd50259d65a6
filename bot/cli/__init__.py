"""Command line: one module per command group, registered here in one visible list.

Each module exposes `register(subparsers)`, which adds its sub-command(s) and sets
`func(args) -> int` as the handler. Commands load config themselves so that `--help` works
without a valid config.

`--database FILE` is added here, in one place, to every command that reads the database, and
acts as BOT_DATABASE for that command (a `serve` passes it on to its worker process). It lets
staff review, e.g., the questions asked in a `chat` session: `kb unanswered --database …-chat.sqlite3`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.cli import ask, campaigns, chat, followers, handoffs, kb, report, scheduler, serve, tickets, users, worker
from bot.config import Config, ConfigError
from bot.knowledge import KnowledgeError

COMMANDS = [serve, worker, chat, ask, kb, tickets, handoffs, campaigns, followers, scheduler, report, users]
NO_DATABASE = ("ask", "kb check")  # commands that never open the database


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Trợ lý ảo CCHC — Zalo OA assistant")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(subparsers)
    _add_database_option(subparsers, "")
    return parser


def _add_database_option(subparsers: argparse._SubParsersAction, path: str) -> None:
    """`--database FILE` on every leaf command that reads the database (`chat` has its own)."""
    for name, sub in subparsers.choices.items():
        command = f"{path} {name}".strip()
        nested = next((a for a in sub._actions if isinstance(a, argparse._SubParsersAction)), None)
        if nested is not None:
            _add_database_option(nested, command)
        elif command not in NO_DATABASE and "--database" not in sub._option_string_actions:
            sub.add_argument("--database", metavar="FILE",
                             help="SQLite file to use instead of the configured one (same as BOT_DATABASE)")


@contextmanager
def _database(path: str | None) -> Iterator[None]:
    """BOT_DATABASE for the duration of one command, restored afterwards."""
    if not path:
        yield
        return
    before = os.environ.get("BOT_DATABASE")
    os.environ["BOT_DATABASE"] = path
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("BOT_DATABASE", None)
        else:
            os.environ["BOT_DATABASE"] = before


def main(argv: list[str] | None = None, *, app_factory: Callable[[Config], Any] | None = None) -> int:
    """Run one command. `app_factory` (the web app's `create_app`) is what `serve` serves; the
    entry point passes it in, so the command line never imports the web layer above it."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        if app_factory is None:
            parser.error("serve needs the web app: run it as `python -m bot serve`")
        args.app_factory = app_factory
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("urllib3").setLevel(logging.INFO)  # its debug lines carry URLs with citizens' ids
    try:
        with _database(None if args.command == "chat" else getattr(args, "database", None)):
            return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except KnowledgeError as exc:  # only when no good version was ever saved (bot/knowledge/lastgood.py)
        print(f"Không khởi động được: cơ sở kiến thức có lỗi.\n{exc}", file=sys.stderr)
        return 2
