"""SQLite storage: WAL, a busy timeout, BEGIN IMMEDIATE for every read-then-write.

The one module that knows the database engine: the table owners (docs/storage.md) get a unit
of work from here and speak SQL through it; connections, transactions, snapshots, PRAGMAs and
batch writes stay here, so a second backend is a change to this module plus the owners' SQL
listed in docs/storage.md.

Units of work are short: `connect()` for reads, `transaction()` for writes, and `write()` for
the webhook's single insert, each ending its work when it returns. The sqlite3 connection behind them belongs to one thread of
one process and is reused by that thread's later units of work: opening a fresh connection
costs ~0.6 ms of schema parsing, which at hundreds of events a second was most of the CPU.
(measured with bench/webhook_bench.py). sqlite3 connections refuse other threads, and after a
fork the child opens its own.

Why BEGIN IMMEDIATE: in WAL a deferred transaction that reads then writes fails at once with
"database is locked" when another writer got there first, ignoring the busy timeout.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.schema import MIGRATIONS

BUSY_TIMEOUT_S = 10.0

_write_locks: dict[Path, threading.RLock] = {}
_write_locks_guard = threading.Lock()


def _write_lock(path: Path) -> threading.RLock:
    """One lock per database file per process. Threads of one process queue here instead of
    in SQLite's busy handler, which sleeps in steps of up to 100 ms: the webhook's insert then
    waits for at most one short transaction, not for a sleeping retry loop."""
    with _write_locks_guard:
        return _write_locks.setdefault(path, threading.RLock())


class Storage:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._local = threading.local()
        self._write_lock: threading.RLock | None = None

    def _db(self) -> sqlite_utils.Database:
        if getattr(self._local, "pid", None) != os.getpid():
            self._local.db = sqlite_utils.Database(self._connection())
            self._local.fast = self._connection()
            # for write(): waits in Python, see _when_unlocked. Set only after the first
            # statement: a new connection to a WAL file may have to wait for another one's
            # WAL-index recovery, and with no busy timeout that wait is a "database is locked".
            self._local.fast.execute("PRAGMA busy_timeout = 0")
            self._local.pid = os.getpid()
        return self._local.db

    def _connection(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL: durable across process crashes
        return conn

    @contextmanager
    def connect(self) -> Iterator[sqlite_utils.Database]:
        """Autocommit access for reads (and single-statement writes off the hot path)."""
        yield self._db()

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
        if self._write_lock is None:
            self._write_lock = _write_lock(self.path.resolve())
        with self._write_lock:
            db = self._db()
            _begin_immediate(db.conn)
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.conn.in_transaction:  # never leave this thread's connection holding the lock
                    db.execute("ROLLBACK")
                raise

    @contextmanager
    def snapshot(self) -> Iterator[sqlite_utils.Database]:
        """One consistent read of several queries (a WAL snapshot: takes no lock, writers go on)."""
        with self.connect() as db:
            db.execute("BEGIN")
            try:
                yield db
            finally:
                db.execute("COMMIT")

    def write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One autocommit statement (atomic on its own), without the in-process write lock:
        for the webhook's insert, where request threads must not queue behind each other."""
        self._db()
        return _when_unlocked(self._local.fast, sql, params).rowcount

    def migrate(self) -> None:
        """Create the file, switch to WAL (not allowed inside a transaction), apply pending migrations."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.enable_wal()
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        with self.transaction() as db:
            applied = {row[0] for row in db.execute("SELECT name FROM schema_migrations").fetchall()}
            for name, sql in MIGRATIONS:
                if name in applied:
                    continue
                for statement in _statements(sql):
                    db.execute(statement)
                db.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, datetime('now'))", [name])


def executemany(db: sqlite_utils.Database, sql: str, rows: Iterable[Sequence[Any]]) -> int:
    """One statement for many rows, inside the caller's unit of work; returns the rows changed."""
    return db.conn.executemany(sql, rows).rowcount


def _begin_immediate(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        _when_unlocked(conn, "BEGIN IMMEDIATE", ())
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


def _when_unlocked(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
    """Run `sql` on a connection with no busy timeout, retrying in sub-millisecond steps while
    another process holds the write lock.

    SQLite's own busy handler sleeps 1, 2, 5, 10 … up to 100 ms between tries, so a webhook
    insert that meets the worker process's short transactions could wait tens of milliseconds
    for a lock that was free after a fraction of one."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            return conn.execute(sql, params)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.0001, 0.0005))


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements (executescript would commit our transaction)."""
    return [s.strip() for s in sql.split(";\n") if s.strip()]
