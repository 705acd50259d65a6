"""Where a citizen is in a multi-step flow (feedback, deletion request), kept in SQLite so a
restart in the middle of a flow loses nothing, and dropped after an idle period so a citizen who
walks away is not trapped in a half-finished flow days later."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.clock import iso
from bot.storage import Storage

FLOW_LABELS = {"feedback": "phản ánh đang soạn", "delete": "yêu cầu xóa dữ liệu"}  # what staff and citizens call each flow


@dataclass(frozen=True)
class State:
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: str = ""


def load(storage: Storage, user_id: str) -> State | None:
    with storage.connect() as db:
        row = db.execute(
            "SELECT flow, step, data, updated_at FROM conversation_state WHERE user_id = ?", [user_id]).fetchone()
    return State(row[0], row[1], json.loads(row[2]), row[3]) if row else None


def save(storage: Storage, user_id: str, state: State, now: datetime) -> None:
    with storage.connect() as db:
        db.execute(
            "INSERT INTO conversation_state (user_id, flow, step, data, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET flow = excluded.flow, step = excluded.step,"
            " data = excluded.data, updated_at = excluded.updated_at",
            [user_id, state.flow, state.step, json.dumps(state.data, ensure_ascii=False), iso(now)],
        )


def clear(storage: Storage, user_id: str) -> State | None:
    """Forget the flow; returns what was forgotten so the caller can say so."""
    with storage.transaction() as db:
        row = db.execute("SELECT flow, step, data FROM conversation_state WHERE user_id = ?", [user_id]).fetchone()
        db.execute("DELETE FROM conversation_state WHERE user_id = ?", [user_id])
    return State(row[0], row[1], json.loads(row[2])) if row else None


def expire(storage: Storage, user_id: str, now: datetime, idle: timedelta) -> State | None:
    """Drop the flow when untouched for `idle`; returns the dropped state. Read-only when there is
    nothing to drop, which is nearly always."""
    state = load(storage, user_id)
    if state is None or state.updated_at >= iso(now - idle):
        return None
    with storage.connect() as db:
        dropped = db.execute("DELETE FROM conversation_state WHERE user_id = ? AND updated_at = ?",
                             [user_id, state.updated_at]).rowcount
    return state if dropped else None


def erase_user(db: Any, user_id: str) -> int:
    return db.execute("DELETE FROM conversation_state WHERE user_id = ?", [user_id]).rowcount


def purge(db: Any, cutoff: str) -> int:
    """Flows not touched since `cutoff`."""
    return db.execute("DELETE FROM conversation_state WHERE updated_at < ?", [cutoff]).rowcount
