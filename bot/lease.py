"""Database leases: exactly one holder at a time across threads, web workers and processes.

Used for the campaign scheduler (one per deployment, whatever the number of web workers) and for
each run being delivered (one sender per run); holder names also mark inbox claims. A holder renews
before expiry; a lease whose holder died is taken over when it expires, or at once when the holder
is known to be gone (same host, and
its process no longer runs or is a previous incarnation with a reused pid).
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable

from bot.storage import Storage

HOST = socket.gethostname()
_PROCESS = secrets.token_hex(4)  # tells this process from an earlier one that had the same pid


def new_holder() -> str:
    return f"{HOST}:{os.getpid()}:{_PROCESS}:{secrets.token_hex(3)}"


class Lease:
    def __init__(self, storage: Storage, name: str, seconds: float, holder: str | None = None,
                 clock: Callable[[], float] = time.time):
        self.storage = storage
        self.name = name
        self.seconds = seconds
        self.holder = holder or new_holder()
        self.clock = clock

    def acquire(self) -> bool:
        """Take or renew the lease; False while someone else holds it."""
        now = self.clock()
        with self.storage.transaction() as db:
            row = db.execute("SELECT holder, expires_at FROM leases WHERE name = ?", [self.name]).fetchone()
            if row and row[0] != self.holder and row[1] > now and not holder_gone(row[0]):
                return False
            db.execute("INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name)"
                       " DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
                       [self.name, self.holder, now + self.seconds])
        return True

    def release(self) -> None:
        with self.storage.connect() as db:
            db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", [self.name, self.holder])

    def current_holder(self) -> str | None:
        with self.storage.connect() as db:
            row = db.execute("SELECT holder, expires_at FROM leases WHERE name = ?", [self.name]).fetchone()
        return row[0] if row and row[1] > self.clock() and not holder_gone(row[0]) else None


def holder_gone(holder: str) -> bool:
    """True only when the holder certainly no longer runs (it is on this host)."""
    host, pid, process, _ = (holder.split(":") + ["", "", "", ""])[:4]
    if host != HOST or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return process != _PROCESS
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
