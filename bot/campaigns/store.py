"""Campaign rows, their history and their status.

Status rules, in one place: `paused`, `cancelled` and `failed` stay until an officer acts; the
others follow from the runs and the schedule — `running` while a run has work left (including
waiting out the quiet hours), `scheduled` while the schedule has a next time, `done` once it ran
and nothing is planned, `draft` before that (disabled, or manual-only and never sent).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.campaigns import delivery
from bot.campaigns.loader import LoadContext, from_spec
from bot.campaigns.model import ACTIVE_RUN, STICKY, Campaign
from bot.campaigns.schedule import make_trigger, next_fire
from bot.clock import iso
from bot.storage import Storage


def record(db: Any, campaign_id: str, event: str, detail: str = "", *, at: datetime) -> None:
    db.execute("INSERT INTO campaign_history (campaign_id, at, event, detail) VALUES (?, ?, ?, ?)",
               [campaign_id, iso(at), event, detail])


def refresh_status(db: Any, campaign_id: str, now: datetime) -> str:
    row = db.execute("SELECT status, enabled, next_due_at FROM campaigns WHERE id = ?", [campaign_id]).fetchone()
    status, enabled, next_due = row
    if status in STICKY:
        return status
    runs = delivery.run_counts(db, campaign_id)
    if any(runs.get(s) for s in ACTIVE_RUN):
        new = "running"
    elif enabled and next_due:
        new = "scheduled"
    else:
        new = "done" if runs.get("done") else "draft"
    if new != status:
        db.execute("UPDATE campaigns SET status = ?, updated_at = ? WHERE id = ?", [new, iso(now), campaign_id])
    return new


def row_of(db: Any, campaign_id: str) -> dict[str, Any] | None:
    """Inside the caller's unit of work: the campaign's row, None when there is none."""
    rows = list(db.query("SELECT * FROM campaigns WHERE id = ?", [campaign_id]))
    return rows[0] if rows else None


def status_of(db: Any, campaign_id: str) -> str | None:
    row = db.execute("SELECT status FROM campaigns WHERE id = ?", [campaign_id]).fetchone()
    return row[0] if row else None


def channel_of(db: Any, campaign_id: str) -> str:
    return str(db.execute("SELECT channel FROM campaigns WHERE id = ?", [campaign_id]).fetchone()[0])


def set_status(db: Any, campaign_id: str, status: str, now: datetime) -> None:
    db.execute("UPDATE campaigns SET status = ?, updated_at = ? WHERE id = ?", [status, iso(now), campaign_id])


def set_next_due(db: Any, campaign_id: str, due: datetime | None, *, now: datetime | None = None,
                 enable: bool = False) -> None:
    """The next fire time (None: no more); `now` stamps updated_at, `enable` switches the schedule on."""
    sets, args = ["next_due_at = ?"], [due and iso(due)]
    if now is not None:
        sets.append("updated_at = ?")
        args.append(iso(now))
    if enable:
        sets.append("enabled = 1")
    db.execute(f"UPDATE campaigns SET {', '.join(sets)} WHERE id = ?", [*args, campaign_id])


def delete(db: Any, campaign_id: str) -> None:
    """The campaign row and its history (inside the caller's transaction, after its runs)."""
    db.execute("DELETE FROM campaign_history WHERE campaign_id = ?", [campaign_id])
    db.execute("DELETE FROM campaigns WHERE id = ?", [campaign_id])


class CampaignStore:
    def __init__(self, storage: Storage, ctx: LoadContext, grace: timedelta):
        self.storage = storage
        self.ctx = ctx
        self.grace = grace

    def campaign(self, row: dict[str, Any]) -> Campaign:
        return from_spec(json.loads(row["spec"]), self.ctx, row.get("source") or row["id"])

    def get(self, campaign_id: str) -> dict[str, Any] | None:
        with self.storage.connect() as db:
            rows = list(db.query("SELECT * FROM campaigns WHERE id = ?", [campaign_id]))
        return rows[0] if rows else None

    def all(self) -> list[dict[str, Any]]:
        with self.storage.connect() as db:
            return list(db.query("SELECT * FROM campaigns ORDER BY id"))

    def upsert(self, campaign: Campaign, now: datetime) -> str:
        """Add or update; returns "added", "updated" or "unchanged". An unchanged schedule keeps its
        next due time (a run still to catch up is not lost); a changed one starts from now. The
        schedule was checked by `timing.check_timing` (past times, nothing left to send)."""
        trigger = make_trigger(campaign.schedule, self.ctx.tz)
        spec = json.dumps(campaign.spec, ensure_ascii=False, sort_keys=True)
        due = next_fire(trigger, now) if campaign.enabled else None
        with self.storage.transaction() as db:
            old = db.execute("SELECT spec, enabled, next_due_at FROM campaigns WHERE id = ?", [campaign.id]).fetchone()
            if old and old[0] == spec and bool(old[1]) == campaign.enabled:
                return "unchanged"
            values = [campaign.title, campaign.channel, spec, campaign.source, int(campaign.enabled),
                      due and iso(due), iso(now)]
            if old:
                db.execute("UPDATE campaigns SET title = ?, channel = ?, spec = ?, source = ?, enabled = ?,"
                           " next_due_at = ?, updated_at = ? WHERE id = ?", values + [campaign.id])
            else:
                db.execute("INSERT INTO campaigns (title, channel, spec, source, enabled, next_due_at, updated_at,"
                           " id, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?)",
                           values + [campaign.id, iso(now)])
            outcome = "updated" if old else "added"
            record(db, campaign.id, outcome, campaign.source, at=now)
            refresh_status(db, campaign.id, now)
        return outcome

    def history(self, campaign_id: str, limit: int = 50) -> list[dict[str, Any]]:
        with self.storage.connect() as db:
            return list(db.query("SELECT at, event, detail FROM campaign_history WHERE campaign_id = ?"
                                 " ORDER BY id DESC LIMIT ?", [campaign_id, limit]))

    def runs(self, campaign_id: str, limit: int = 20) -> list[dict[str, Any]]:
        with self.storage.connect() as db:
            return delivery.list_runs(db, campaign_id, limit)

    def runs_needing_work(self, now: datetime) -> list[int]:
        """Runs to (re)start: new, interrupted (their sender stopped), or done waiting."""
        with self.storage.connect() as db:
            return delivery.runs_needing_work(db, now)
