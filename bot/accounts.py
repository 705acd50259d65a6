"""Console accounts (officers, staff, admins), their audit trail and sign-in throttling.

Owner of the `console_*` tables. Not to be confused with `bot/conversations/citizens.py`, which owns the citizens
known to the OA. Passwords are stored as scrypt hashes with a per-password salt: slow enough that
a stolen database does not give the passwords away cheaply. Every change made through the
console or the `users` command is written to `console_audit` with who and when.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import iso, utc_now
from bot.storage import Storage

ROLES = ("admin", "officer", "staff")
ROLE_LABELS = {"admin": "Quản trị", "officer": "Cán bộ truyền thông", "staff": "Cán bộ tiếp nhận, hỏi đáp"}
NAME_MAX = 64
PASSWORD_MIN = 8
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1  # ~50 ms per check, 16 MiB: interactive-login strength
THROTTLE_FAILURES = 5  # failed sign-ins per account name or address …
THROTTLE_WINDOW = timedelta(minutes=15)  # … within this window lock sign-in for the rest of it


class AccountError(Exception):
    """The change is not possible; the message (Vietnamese) says why."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    enabled: bool
    session_epoch: int
    created_at: str
    updated_at: str


_COLUMNS = "id, name, role, enabled, session_epoch, created_at, updated_at"


def _account(row: Any) -> Account:
    id_, name, role, enabled, epoch, created, updated = row
    return Account(id_, name, role, bool(enabled), epoch, created, updated)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                  dklen=len(digest) // 2)
    except ValueError:
        return False
    return hmac.compare_digest(computed.hex(), digest)


_DUMMY_HASH = hash_password(secrets.token_hex(8))  # unknown names cost the same time as known ones


def validate_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX or any(c.isspace() for c in name):
        raise AccountError(f"tên đăng nhập phải có 1–{NAME_MAX} ký tự, không có khoảng trắng")
    return name


def validate_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"mật khẩu cần ít nhất {PASSWORD_MIN} ký tự")


def validate_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"vai trò phải là một trong: {', '.join(ROLES)}")


def add(storage: Storage, name: str, role: str, password: str, *, actor: str, now: datetime | None = None) -> Account:
    name = validate_name(name)
    validate_role(role)
    validate_password(password)
    stamp = iso(now or utc_now())
    with storage.transaction() as db:
        if db.execute("SELECT 1 FROM console_accounts WHERE name = ?", [name]).fetchone():
            raise AccountError(f"đã có tài khoản `{name}`")
        db.execute("INSERT INTO console_accounts (name, role, password_hash, created_at, updated_at)"
                   " VALUES (?, ?, ?, ?, ?)", [name, role, hash_password(password), stamp, stamp])
        _audit(db, actor, "users.add", name, f"vai trò {role}", stamp)
    found = get(storage, name)
    assert found is not None
    return found


def get(storage: Storage, name: str) -> Account | None:
    with storage.connect() as db:
        row = db.execute(f"SELECT {_COLUMNS} FROM console_accounts WHERE name = ?", [name.strip()]).fetchone()
    return _account(row) if row else None


def get_by_id(storage: Storage, account_id: int) -> Account | None:
    with storage.connect() as db:
        row = db.execute(f"SELECT {_COLUMNS} FROM console_accounts WHERE id = ?", [account_id]).fetchone()
    return _account(row) if row else None


def listing(storage: Storage) -> list[Account]:
    with storage.connect() as db:
        return [_account(r) for r in db.execute(f"SELECT {_COLUMNS} FROM console_accounts ORDER BY name").fetchall()]


def authenticate(storage: Storage, name: str, password: str) -> Account | None:
    """The enabled account with this name and password, else None (same work either way)."""
    with storage.connect() as db:
        row = db.execute(f"SELECT {_COLUMNS}, password_hash FROM console_accounts WHERE name = ?",
                         [name.strip()]).fetchone()
    ok = check_password(row[-1] if row else _DUMMY_HASH, password)
    if not row or not ok or not row[3]:
        return None
    return _account(row[:-1])


def set_password(storage: Storage, name: str, password: str, *, actor: str) -> None:
    validate_password(password)
    _update(storage, name, "password_hash = ?", [hash_password(password)], actor, "users.passwd", "")


def set_role(storage: Storage, name: str, role: str, *, actor: str) -> None:
    validate_role(role)
    _update(storage, name, "role = ?", [role], actor, "users.role", f"vai trò {role}")


def set_enabled(storage: Storage, name: str, enabled: bool, *, actor: str) -> None:
    action = "users.enable" if enabled else "users.disable"
    _update(storage, name, "enabled = ?", [int(enabled)], actor, action, "")


def _update(storage: Storage, name: str, assignment: str, args: list[Any], actor: str, action: str,
            detail: str) -> None:
    stamp = iso(utc_now())
    with storage.transaction() as db:
        changed = db.execute(f"UPDATE console_accounts SET {assignment}, session_epoch = session_epoch + 1,"
                             " updated_at = ? WHERE name = ?", [*args, stamp, name.strip()]).rowcount
        if not changed:
            raise AccountError(f"không có tài khoản `{name}`")
        _audit(db, actor, action, name.strip(), detail, stamp)


# --- audit trail ------------------------------------------------------------------------------
def audit(storage: Storage, actor: str, action: str, target: str = "", detail: str = "") -> None:
    with storage.connect() as db:
        _audit(db, actor, action, target, detail, iso(utc_now()))


def _audit(db: Any, actor: str, action: str, target: str, detail: str, stamp: str) -> None:
    db.execute("INSERT INTO console_audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
               [stamp, actor, action, target, detail[:500]])


def audit_log(storage: Storage, limit: int = 200, actor: str = "") -> list[dict[str, Any]]:
    where, args = ("WHERE actor = ?", [actor]) if actor else ("", [])
    with storage.connect() as db:
        return list(db.query(f"SELECT at, actor, action, target, detail FROM console_audit {where}"
                             " ORDER BY id DESC LIMIT ?", [*args, limit]))


# --- sign-in throttling -----------------------------------------------------------------------
def locked_for(storage: Storage, keys: list[str], now: datetime | None = None) -> timedelta | None:
    """How long sign-in stays locked for any of `keys` (account name, address), or None."""
    now = now or utc_now()
    since = iso(now - THROTTLE_WINDOW)
    with storage.connect() as db:
        for key in keys:
            rows = db.execute("SELECT at FROM console_login_failures WHERE key = ? AND at >= ? ORDER BY at DESC"
                              " LIMIT ?", [key, since, THROTTLE_FAILURES]).fetchall()
            if len(rows) >= THROTTLE_FAILURES:
                return datetime.fromisoformat(rows[-1][0]) + THROTTLE_WINDOW - now
    return None


def record_failure(storage: Storage, keys: list[str], now: datetime | None = None) -> None:
    now = now or utc_now()
    with storage.transaction() as db:
        db.execute("DELETE FROM console_login_failures WHERE at < ?", [iso(now - THROTTLE_WINDOW)])
        for key in keys:
            db.execute("INSERT INTO console_login_failures (key, at) VALUES (?, ?)", [key, iso(now)])


def clear_failures(storage: Storage, key: str) -> None:
    with storage.connect() as db:
        db.execute("DELETE FROM console_login_failures WHERE key = ?", [key])


# --- settings ---------------------------------------------------------------------------------
def session_secret(storage: Storage) -> str:
    """The console's session signing key, generated once and kept in the database, so sessions
    survive restarts and every process of one deployment agrees (BOT_CONSOLE_SECRET overrides)."""
    with storage.transaction() as db:
        row = db.execute("SELECT value FROM console_settings WHERE name = 'session_secret'").fetchone()
        if row:
            return row[0]
        value = secrets.token_hex(32)
        db.execute("INSERT INTO console_settings (name, value) VALUES ('session_secret', ?)", [value])
        return value
