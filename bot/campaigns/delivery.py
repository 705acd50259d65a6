"""Runs and their per-recipient delivery rows: the one module that reads and writes
`campaign_runs` and `campaign_deliveries` (their state machine), so a restart resumes, never repeats.

A run goes pending → sending → done | waiting (resume_at) | paused | failed | cancelled, or is
recorded `missed`; the functions below taking `db` run inside the caller's transaction.

A row goes pending → sending (committed before the Zalo call) → sent | sandbox | skipped |
failed | ambiguous. Every step is a compare-and-set on the current state, so a row is sent by at
most one thread of one process. A row still `sending` when its run is taken over belongs to a
process that stopped between the call and the record: Zalo may have delivered it and takes no
idempotency key, so it becomes `ambiguous`; with the default policy (`check`) the OA's conversation
with the citizen then decides (bot/campaigns/reconcile.py), otherwise it is not sent again.

Writes go through `Storage.transaction()`, whose per-process lock queues this sender's threads
(two writes per message) in microseconds instead of in SQLite's busy handler.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.campaigns import audience
from bot.campaigns.model import ACTIVE_RUN, Audience
from bot.clock import iso, utc_now
from bot.storage import Storage, executemany
from bot.zalo.windows import CS_WINDOW

REACHED = ("sent", "sandbox", "ambiguous")  # delivered, or maybe delivered


class Ledger:
    def __init__(self, storage: Storage, run_id: int, channel: str):
        self.storage = storage
        self.run_id = run_id
        self.channel = channel

    def _write(self, sql: str, args: Any) -> int:
        with self.storage.transaction() as db:
            return db.execute(sql, args).rowcount

    def recover(self, resend: bool) -> int:
        """Rows left `sending` by a stopped process: ambiguous, or back to pending under the resend policy."""
        if resend:
            return self._write("UPDATE campaign_deliveries SET status = 'pending', reason = 'ambiguous_resent',"
                               " updated_at = ? WHERE run_id = ? AND status = 'sending'", [iso(utc_now()), self.run_id])
        # updated_at keeps the time the row was claimed: the conversation check looks from there.
        return self._write("UPDATE campaign_deliveries SET status = 'ambiguous', reason = 'process_stopped_while_sending'"
                           " WHERE run_id = ? AND status = 'sending'", [self.run_id])

    def ambiguous(self) -> list[tuple[str, str, str | None]]:
        """(user_id, when the attempt was recorded, message id if known) of every ambiguous row."""
        with self.storage.connect() as db:
            return db.execute("SELECT user_id, updated_at, message_id FROM campaign_deliveries"
                              " WHERE run_id = ? AND status = 'ambiguous' ORDER BY user_id", [self.run_id]).fetchall()

    def known_message_ids(self, user_id: str) -> set[str]:
        """Message ids already recorded for this citizen (any run): never proof of another delivery."""
        with self.storage.connect() as db:
            return {r[0] for r in db.execute("SELECT message_id FROM campaign_deliveries WHERE user_id = ?"
                                             " AND message_id IS NOT NULL AND message_id != ''", [user_id])}

    def settle(self, user_id: str, verdict: str, message_id: str | None = None) -> None:
        """An ambiguous row after the conversation check: found → sent; absent → pending (resent);
        unknown → stays ambiguous, not resent."""
        now = iso(utc_now())
        if verdict == "found":
            sql, args = ("status = 'sent', reason = 'found_in_conversation', message_id = coalesce(?, message_id),"
                         " updated_at = ?", [message_id, now])
        elif verdict == "absent":
            sql, args = "status = 'pending', reason = 'absent_resent', updated_at = ?", [now]
        else:
            sql, args = "reason = 'check_failed'", []
        self._write(f"UPDATE campaign_deliveries SET {sql} WHERE run_id = ? AND user_id = ? AND status = 'ambiguous'",
                    [*args, self.run_id, user_id])

    def page(self, after: str, size: int, now: datetime) -> tuple[list[str], str | None]:
        """Pending citizens among the next `size` after `after` who may still be messaged (the
        others are marked skipped here, with their reason), and the last one looked at."""
        sql = (f"SELECT d.user_id, {audience.skip_reason(self.channel)} FROM campaign_deliveries d"
               " LEFT JOIN users u ON u.user_id = d.user_id"
               " WHERE d.run_id = :run AND d.status = 'pending' AND d.user_id > :after ORDER BY d.user_id LIMIT :size")
        values = {"run": self.run_id, "after": after, "size": size, "cs_window": iso(now - CS_WINDOW)}
        with self.storage.transaction() as db:
            rows = db.execute(sql, values).fetchall()
            skipped = [(reason, iso(now), self.run_id, uid) for uid, reason in rows if reason]
            if skipped:
                executemany(db, "UPDATE campaign_deliveries SET status = 'skipped', reason = ?, updated_at = ?"
                                " WHERE run_id = ? AND user_id = ? AND status = 'pending'", skipped)
        return [uid for uid, reason in rows if not reason], rows[-1][0] if rows else None

    def claim(self, user_id: str) -> int:
        """pending → sending; returns the attempt number, 0 when someone else has the row."""
        with self.storage.transaction() as db:
            row = db.execute(
                "UPDATE campaign_deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ?"
                " WHERE run_id = ? AND user_id = ? AND status = 'pending' RETURNING attempts",
                [iso(utc_now()), self.run_id, user_id]).fetchone()
        return row[0] if row else 0

    def finish(self, user_id: str, status: str, *, reason: str | None = None, message_id: str | None = None,
               error_code: int | None = None) -> None:
        self._write("UPDATE campaign_deliveries SET status = ?, reason = ?, message_id = ?, error_code = ?, updated_at = ?"
                    " WHERE run_id = ? AND user_id = ? AND status = 'sending'",
                    [status, reason, message_id, error_code, iso(utc_now()), self.run_id, user_id])

    def release(self, user_id: str, reason: str, *, refund: bool = False) -> None:
        """sending → pending: not delivered, to be tried again; `refund` when the attempt does not
        count against the recipient (rate limit, the run stopping)."""
        self._write("UPDATE campaign_deliveries SET status = 'pending', reason = ?, attempts = attempts - ?, updated_at = ?"
                    " WHERE run_id = ? AND user_id = ? AND status = 'sending'",
                    [reason, int(refund), iso(utc_now()), self.run_id, user_id])

    def pending(self) -> int:
        with self.storage.connect() as db:
            return db.execute("SELECT count(*) FROM campaign_deliveries WHERE run_id = ? AND status = 'pending'",
                              [self.run_id]).fetchone()[0]



def counts(db: Any, run_id: int) -> dict[str, int]:
    """Delivery rows of one run per status: the one count the CLI, admin API and console show."""
    return dict(db.execute("SELECT status, count(*) FROM campaign_deliveries WHERE run_id = ? GROUP BY status",
                           [run_id]).fetchall())


def skip_cancelled(db: Any, now: datetime, *, run_id: int | None = None, campaign_id: str | None = None) -> int:
    """Inside the caller's transaction, when a run (or every run of a campaign) is cancelled:
    its pending rows become skipped, so no sender picks them up again. Returns the count."""
    arg: int | str | None
    if run_id is not None:
        where, arg = "run_id = ?", run_id
    else:
        where, arg = "run_id IN (SELECT id FROM campaign_runs WHERE campaign_id = ?)", campaign_id
    return db.execute("UPDATE campaign_deliveries SET status = 'skipped', reason = 'cancelled', updated_at = ?"
                      f" WHERE status = 'pending' AND {where}", [iso(now), arg]).rowcount


def people_reached(db: Any, campaign_id: str) -> int:
    """Citizens any run of this campaign delivered to (or may have: ambiguous), plus article
    broadcasts made — what makes sending a one-off campaign again a second message."""
    people = db.execute("SELECT count(DISTINCT d.user_id) FROM campaign_deliveries d JOIN campaign_runs r"
                        " ON r.id = d.run_id WHERE r.campaign_id = ? AND d.status IN (?, ?, ?)",
                        [campaign_id, *REACHED]).fetchone()[0]
    broadcasts = db.execute("SELECT count(*) FROM campaign_runs WHERE campaign_id = ? AND broadcast_state IN"
                            " (?, ?, ?)", [campaign_id, *REACHED]).fetchone()[0]
    return people + broadcasts


def already_received(db: Any, campaign_id: str, run_id: int) -> int:
    """People in this run whom an earlier run of the same campaign already reached."""
    return db.execute(
        "SELECT count(*) FROM campaign_deliveries d WHERE d.run_id = ? AND EXISTS (SELECT 1 FROM campaign_deliveries e"
        " JOIN campaign_runs r ON r.id = e.run_id WHERE r.campaign_id = ? AND e.run_id != d.run_id"
        " AND e.user_id = d.user_id AND e.status IN (?, ?, ?))", [run_id, campaign_id, *REACHED]).fetchone()[0]


def in_flight(db: Any, campaign_id: str) -> int:
    """Rows of this campaign a sender is sending right now (or was, when its process stopped)."""
    return db.execute("SELECT count(*) FROM campaign_deliveries WHERE status = 'sending' AND run_id IN"
                      " (SELECT id FROM campaign_runs WHERE campaign_id = ?)", [campaign_id]).fetchone()[0]


def delete_for_campaign(db: Any, campaign_id: str) -> int:
    """Every delivery row of the campaign's runs (inside the caller's transaction); returns the count."""
    return db.execute("DELETE FROM campaign_deliveries WHERE run_id IN (SELECT id FROM campaign_runs"
                      " WHERE campaign_id = ?)", [campaign_id]).rowcount


def _marks(values: tuple[str, ...] | list[str]) -> str:
    return ",".join("?" * len(values))


def materialize(db: Any, run_id: int, who: Audience, channel: str, now: datetime) -> int:
    """Write one delivery row per audience member (skipped ones with their reason); returns the count."""
    sql = ("INSERT OR IGNORE INTO campaign_deliveries (run_id, user_id, status, reason, free_window, updated_at)"
           " SELECT :run, user_id, CASE WHEN reason IS NULL THEN 'pending' ELSE 'skipped' END, reason, free, :stamp"
           f" FROM ({audience.decided(who, channel)})")
    return db.execute(sql, audience.params(who, now, run=run_id, stamp=iso(now))).rowcount


def add_run(db: Any, campaign_id: str, scheduled_for: datetime, trigger: str, message: str, now: datetime) -> int | None:
    """A new pending run; None when this fire time already has one (two schedulers, one run)."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO campaign_runs (campaign_id, scheduled_for, trigger, status, message, created_at)"
        " VALUES (?, ?, ?, 'pending', ?, ?)", [campaign_id, iso(scheduled_for), trigger, message, iso(now)])
    return cursor.lastrowid if cursor.rowcount else None


def add_missed(db: Any, campaign_id: str, scheduled_for: datetime, reason: str, now: datetime) -> None:
    db.execute("INSERT OR IGNORE INTO campaign_runs (campaign_id, scheduled_for, trigger, status, reason, created_at)"
               " VALUES (?, ?, 'schedule', 'missed', ?, ?)", [campaign_id, iso(scheduled_for), reason, iso(now)])


def get_run(db: Any, run_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM campaign_runs WHERE id = ?", [run_id]))
    return rows[0] if rows else None


def run_status(db: Any, run_id: int) -> str | None:
    row = db.execute("SELECT status FROM campaign_runs WHERE id = ?", [run_id]).fetchone()
    return row[0] if row else None


def run_belongs(db: Any, run_id: int, campaign_id: str) -> bool:
    row = db.execute("SELECT 1 FROM campaign_runs WHERE id = ? AND campaign_id = ?", [run_id, campaign_id]).fetchone()
    return row is not None


def latest_run(db: Any, campaign_id: str) -> int | None:
    """The campaign's latest run that was not a missed fire time."""
    return db.execute("SELECT max(id) FROM campaign_runs WHERE campaign_id = ? AND status != 'missed'",
                      [campaign_id]).fetchone()[0]


def active_run(db: Any, campaign_id: str) -> int | None:
    """The latest run still to be delivered (pending, sending or waiting), if any."""
    row = db.execute(f"SELECT id FROM campaign_runs WHERE campaign_id = ? AND status IN ({_marks(ACTIVE_RUN)})"
                     " ORDER BY id DESC LIMIT 1", [campaign_id, *ACTIVE_RUN]).fetchone()
    return row[0] if row else None


def run_counts(db: Any, campaign_id: str) -> dict[str, int]:
    """The campaign's runs per status."""
    return dict(db.execute("SELECT status, count(*) FROM campaign_runs WHERE campaign_id = ? GROUP BY status",
                           [campaign_id]).fetchall())


def list_runs(db: Any, campaign_id: str, limit: int) -> list[dict[str, Any]]:
    """The latest runs, newest first, each with its delivery counts."""
    runs = list(db.query("SELECT id, scheduled_for, trigger, status, reason, resume_at, started_at, finished_at,"
                         " broadcast_state, broadcast_message_id FROM campaign_runs WHERE campaign_id = ?"
                         " ORDER BY id DESC LIMIT ?", [campaign_id, limit]))
    for run in runs:
        run["counts"] = counts(db, run["id"])
    return runs


def runs_needing_work(db: Any, now: datetime) -> list[int]:
    """Runs to (re)start: new, interrupted (their sender stopped), or done waiting."""
    return [r[0] for r in db.execute(
        "SELECT id FROM campaign_runs WHERE status IN ('pending', 'sending')"
        " OR (status = 'waiting' AND resume_at <= ?) ORDER BY id", [iso(now)]).fetchall()]


def start_sending(db: Any, run_id: int, now: datetime) -> None:
    db.execute("UPDATE campaign_runs SET status = 'sending', resume_at = NULL, started_at = coalesce(started_at, ?)"
               " WHERE id = ?", [iso(now), run_id])


def finish_run(db: Any, run_id: int, status: str, reason: str | None, resume_at: datetime | None,
               now: datetime) -> str:
    """Record how a delivery attempt ended (a cancelled run skips its pending rows); returns the campaign id."""
    campaign_id = db.execute("SELECT campaign_id FROM campaign_runs WHERE id = ?", [run_id]).fetchone()[0]
    db.execute("UPDATE campaign_runs SET status = ?, reason = ?, resume_at = ?, finished_at = ? WHERE id = ?",
               [status, reason, resume_at and iso(resume_at), iso(now) if status in ("done", "failed", "cancelled")
                else None, run_id])
    if status == "cancelled":
        skip_cancelled(db, now, run_id=run_id)
    return str(campaign_id)


def stop_unfinished(db: Any, campaign_id: str, status: str, unfinished: tuple[str, ...], now: datetime) -> None:
    """An officer paused or cancelled the campaign: its unfinished runs follow (a cancel skips their pending rows)."""
    db.execute(f"UPDATE campaign_runs SET status = ?, reason = 'officer' WHERE campaign_id = ? AND status IN"
               f" ({_marks(unfinished)})", [status, campaign_id, *unfinished])
    if status == "cancelled":
        skip_cancelled(db, now, campaign_id=campaign_id)


def resume_runs(db: Any, campaign_id: str, message: str) -> None:
    """Paused and failed runs go back to pending; a failed one takes the campaign's current message."""
    db.execute("UPDATE campaign_runs SET message = CASE WHEN status = 'failed' THEN ? ELSE message END,"
               " status = 'pending', reason = NULL WHERE campaign_id = ? AND status IN ('paused', 'failed')",
               [message, campaign_id])


BROADCAST_COLUMNS = ("article_token", "article_id", "broadcast_state", "broadcast_message_id")


def save_broadcast(db: Any, run_id: int, column: str, value: str | None) -> None:
    """One step of an article broadcast run, saved as soon as it is known."""
    if column not in BROADCAST_COLUMNS:
        raise ValueError(f"not a broadcast column: {column}")
    db.execute(f"UPDATE campaign_runs SET {column} = ? WHERE id = ?", [value, run_id])


def delete_runs(db: Any, campaign_id: str) -> int:
    """Every run of the campaign (after their delivery rows); returns the count."""
    return db.execute("DELETE FROM campaign_runs WHERE campaign_id = ?", [campaign_id]).rowcount


def erase_user(db: Any, user_id: str) -> int:
    """A deletion request: the citizen's delivery rows, except one being sent this instant."""
    return db.execute("DELETE FROM campaign_deliveries WHERE user_id = ? AND status != 'sending'", [user_id]).rowcount
