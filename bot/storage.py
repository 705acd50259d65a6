"""SQLite storage: one short-lived connection per unit of work, WAL, a busy timeout.

Why short-lived: sqlite3 connections refuse other threads, and the webhook, the inbox workers,
the scheduler and CLI commands all write the same file, sometimes from several processes.
Why BEGIN IMMEDIATE: in WAL a deferred transaction that reads then writes fails at once with
"database is locked" when another writer got there first, ignoring the busy timeout.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from bot.schema import MIGRATIONS

BUSY_TIMEOUT_MS = 10_000


class Storage:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _open(self) -> sqlite_utils.Database:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")  # durable across process crashes in WAL mode
        return sqlite_utils.Database(conn)

    @contextmanager
    def connect(self) -> Iterator[sqlite_utils.Database]:
        """A connection in autocommit mode for reads and single-statement writes."""
        db = self._open()
        try:
            yield db
        finally:
            db.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """BEGIN IMMEDIATE … COMMIT: takes the write lock up front, waits on the busy timeout."""
        db = self._open()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.conn.close()

    def migrate(self) -> None:
        """Create the file, switch to WAL (not allowed inside a transaction) and apply pending migrations."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.enable_wal()
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        with self.transaction() as db:
            applied = {row[0] for row in db.execute("SELECT name FROM schema_migrations").fetchall()}
            for name, sql in MIGRATIONS:
                if name not in applied:
                    for statement in _statements(sql):
                        db.execute(statement)
                    db.execute(
                        "INSERT INTO schema_migrations (name, applied_at) VALUES (?, datetime('now'))", [name]
                    )


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements (executescript would commit our transaction)."""
    return [s.strip() for s in sql.split(";\n") if s.strip()]
