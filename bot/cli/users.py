"""`python -m bot users`: accounts for the web console (/console/).

- `users add NAME --role admin|officer|staff`: the password is read from standard input when it
  is not a terminal (one line), otherwise prompted twice without echo.
- `users list`, `users disable NAME`, `users passwd NAME` (password read the same way).
Every change is recorded in the console's audit trail as done by `cli:<system user>`.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot import accounts
from bot.config import load_config
from bot.storage import Storage
from bot.wiring import open_storage


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("users", help="accounts of the web console (officers, staff, admins)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="users_command", metavar="SUBCOMMAND", required=True)
    add = commands.add_parser("add", help="create an account (password from stdin or prompted)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.set_defaults(func=run_add)
    commands.add_parser("list", help="list accounts").set_defaults(func=run_list)
    disable = commands.add_parser("disable", help="disable an account (its sessions end at once)")
    disable.add_argument("name")
    disable.set_defaults(func=run_disable)
    passwd = commands.add_parser("passwd", help="set a new password (its sessions end at once)")
    passwd.add_argument("name")
    passwd.set_defaults(func=run_passwd)


def _storage() -> Storage:
    return open_storage(load_config())


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise accounts.AccountError("hai lần nhập mật khẩu không khớp")
    return first


def run_add(args: argparse.Namespace) -> int:
    storage = _storage()
    try:
        account = accounts.add(storage, args.name, args.role, _read_password(), actor=_actor())
    except accounts.AccountError as exc:
        print(f"Không tạo được tài khoản: {exc}", file=sys.stderr)
        return 1
    print(f"Đã tạo tài khoản {account.name} ({accounts.ROLE_LABELS[account.role]}).")
    return 0


def run_list(args: argparse.Namespace) -> int:
    found = accounts.listing(_storage())
    for account in found:
        state = "đang dùng" if account.enabled else "đã khóa"
        print(f"{account.name:<24} {account.role:<8} {state:<10} tạo {account.created_at[:10]}")
    print(f"{len(found)} tài khoản.")
    return 0


def run_disable(args: argparse.Namespace) -> int:
    try:
        accounts.set_enabled(_storage(), args.name, False, actor=_actor())
    except accounts.AccountError as exc:
        print(f"Không khóa được: {exc}", file=sys.stderr)
        return 1
    print(f"Đã khóa tài khoản {args.name}.")
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    storage = _storage()
    try:
        if accounts.get(storage, args.name) is None:
            raise accounts.AccountError(f"không có tài khoản `{args.name}`")
        accounts.set_password(storage, args.name, _read_password(), actor=_actor())
    except accounts.AccountError as exc:
        print(f"Không đổi được mật khẩu: {exc}", file=sys.stderr)
        return 1
    print(f"Đã đổi mật khẩu của {args.name}.")
    return 0
