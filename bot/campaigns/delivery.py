"""Per-recipient delivery rows of one run: the record that makes a restart resume, never repeat.

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
from bot.clock import iso, utc_now
from bot.storage import Storage

DONE = ("sent", "sandbox", "skipped", "failed", "ambiguous")
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
        values = {"run": self.run_id, "after": after, "size": size, "cs_window": iso(now - audience.CS_WINDOW)}
        with self.storage.transaction() as db:
            rows = db.execute(sql, values).fetchall()
            skipped = [(reason, iso(now), self.run_id, uid) for uid, reason in rows if reason]
            if skipped:
                db.conn.executemany("UPDATE campaign_deliveries SET status = 'skipped', reason = ?, updated_at = ?"
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
    return dict(db.execute("SELECT status, count(*) FROM campaign_deliveries WHERE run_id = ? GROUP BY status",
                           [run_id]).fetchall())


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
