"""Deliver runs: in the caller's thread (CLI send-now) or in background threads (scheduler, admin API).

A run is delivered by whoever holds its lease (`run:<id>`), so the scheduler, a send-now in a
terminal and a second web worker never deliver the same run at once; the holder renews the lease
while it sends and an officer's pause or cancel is noticed within a second. One Pacer per process:
Zalo's request limit is per app, so two runs in one process share the rate.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.campaigns import delivery
from bot.campaigns.article import ArticleBroadcast
from bot.campaigns.delivery import Ledger
from bot.campaigns.ratelimit import Pacer
from bot.campaigns.reconcile import conversation_text, look_up
from bot.campaigns.runs import finish_run
from bot.campaigns.schedule import blocked_until, quiet_window
from bot.campaigns.sender import Halt, Sender, SendOne
from bot.campaigns.store import CampaignStore, channel_of, record, refresh_status
from bot.clock import iso, utc_now
from bot.config import CampaignSettings
from bot.lease import Lease

log = logging.getLogger(__name__)


class Runner:
    def __init__(self, store: CampaignStore, zalo: Any, settings: CampaignSettings, tz: ZoneInfo,
                 clock: Callable[[], datetime] = utc_now):
        self.store = store
        self.clock = clock
        self.storage = store.storage
        self.zalo = zalo
        self.settings = settings
        self.tz = tz
        self.quiet = quiet_window(settings.quiet_hours)
        self.pacer = Pacer(settings.rate_per_second)
        self._active: dict[int, threading.Event] = {}
        self._senders: dict[int, Sender] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def submit(self, run_id: int) -> bool:
        """Deliver in a background thread unless this process already is; False when it is."""
        with self._lock:
            if run_id in self._active:
                return False
            self._active[run_id] = threading.Event()
        threading.Thread(target=self._background, args=(run_id,), name=f"campaign-run-{run_id}", daemon=True).start()
        return True

    def _background(self, run_id: int) -> None:
        try:
            self.deliver(run_id)
        except Exception:  # the boundary for background runs: log; the run stays resumable
            log.exception("campaign run %d failed unexpectedly", run_id)
        finally:
            with self._lock:
                self._active.pop(run_id).set()

    def stop(self, timeout: float = 10.0) -> None:
        """Shutdown: interrupt every run (rows in flight finish, the rest stays pending for later)."""
        self._stopping.set()
        with self._lock:
            senders, done = list(self._senders.values()), list(self._active.values())
        for sender in senders:
            sender.interrupt(Halt("pending", "shutdown"))
        for event in done:
            event.wait(timeout)

    def deliver(self, run_id: int) -> str:
        """Deliver one run as far as possible now; returns its status afterwards, or "busy" when
        another thread or process is delivering it."""
        lease = Lease(self.storage, f"run:{run_id}", self.settings.lease_seconds)
        if not lease.acquire():
            return "busy"
        try:
            run = self._start(run_id)
            if run is None:
                return self._status(run_id)
            halt = self._deliver_started(run, lease)
            status = halt.status if halt else "done"
            reason, resume_at = (halt.reason, halt.resume_at) if halt else (None, None)
            finish_run(self.store, run_id, status, reason, resume_at, self.clock())
            log.info("campaign %s run %d: %s%s", run["campaign_id"], run_id, status, f" ({halt.reason})" if halt else "")
            return status
        finally:
            lease.release()

    def _start(self, run_id: int) -> dict[str, Any] | None:
        """Mark the run sending, unless it has nothing to do now (done, paused, still waiting)."""
        now = self.clock()
        with self.storage.transaction() as db:
            run = delivery.get_run(db, run_id)
            if run is None or run["status"] not in ("pending", "sending", "waiting"):
                return None
            if run["status"] == "waiting" and run["resume_at"] and run["resume_at"] > iso(now):
                return None
            if run["status"] == "waiting":
                record(db, run["campaign_id"], "run_resumed", f"lượt {run_id}", at=now)
            delivery.start_sending(db, run_id, now)
            refresh_status(db, run["campaign_id"], now)
        return run

    def _deliver_started(self, run: dict[str, Any], lease: Lease) -> Halt | None:
        channel = self._channel(run["campaign_id"])
        now = self.clock()
        if until := blocked_until(now.astimezone(self.tz), channel, self.quiet):
            return Halt("waiting", "quiet_hours", until)
        if channel == "article":
            broadcast = ArticleBroadcast(self.storage, self.zalo, run["id"], poll_seconds=self.settings.backoff_seconds,
                                         resend_ambiguous=self.settings.ambiguous_policy == "resend", stop=self._stopping)
            return broadcast.run(now)
        return self._send_recipients(run, channel, lease)

    def _send_recipients(self, run: dict[str, Any], channel: str, lease: Lease) -> Halt | None:
        ledger = Ledger(self.storage, run["id"], channel)
        message = json.loads(run["message"])
        recovered = ledger.recover(resend=self.settings.ambiguous_policy == "resend")
        if recovered:
            log.warning("campaign run %d: %d message(s) were being sent when a process stopped (policy: %s)",
                        run["id"], recovered, self.settings.ambiguous_policy)
        self._reconcile(ledger, message, lease, wait=False)  # those old enough to look for now
        halt = self._sender_pass(run["id"], ledger, channel, message, lease)
        for _ in range(2):  # rows that timed out (or were too recent): look for them, resend the absent ones
            if halt is not None or not self._reconcile(ledger, message, lease, wait=True):
                break
            halt = self._sender_pass(run["id"], ledger, channel, message, lease)
        return halt

    def _sender_pass(self, run_id: int, ledger: Ledger, channel: str, message: dict[str, Any], lease: Lease) -> Halt | None:
        sender = Sender(ledger, self._send_one(channel, message), settings=self.settings,
                        pacer=self.pacer, tz=self.tz, quiet=self.quiet, sandbox=getattr(self.zalo, "sandbox", False),
                        now=self.clock)
        with self._lock:
            self._senders[run_id] = sender
        try:
            return sender.run(lambda: self._watch(run_id, lease))
        finally:
            with self._lock:
                self._senders.pop(run_id, None)

    def _reconcile(self, ledger: Ledger, message: dict[str, Any], lease: Lease, *, wait: bool) -> int:
        """Settle ambiguous rows from the OA's conversation (policy `check`, consultation channel:
        template messages are not verifiable this way). With `wait`, first let the youngest attempt
        age `ambiguous_check_after_seconds` (keeping the lease); without, only look for rows that old.
        Returns how many went back to pending (to be resent)."""
        if self.settings.ambiguous_policy != "check" or ledger.channel != "consultation":
            return 0
        settle = timedelta(seconds=self.settings.ambiguous_check_after_seconds)
        rows = ledger.ambiguous()
        if wait and rows:
            youngest = max(datetime.fromisoformat(stamp) for _, stamp, _ in rows)
            while (remaining := (youngest + settle - utc_now()).total_seconds()) > 0:
                if self._stopping.wait(min(remaining, self.settings.lease_seconds / 3)) or not lease.acquire():
                    return 0
        ripe = [r for r in rows if datetime.fromisoformat(r[1]) + settle <= utc_now()]
        text = conversation_text(message)
        verdicts: dict[str, int] = {}
        for user_id, stamp, message_id in ripe:
            self.pacer.wait(self._stopping)
            verdict = look_up(self.zalo, user_id, text, datetime.fromisoformat(stamp), message_id,
                              ledger.known_message_ids(user_id))
            ledger.settle(user_id, verdict.kind, verdict.message_id)
            verdicts[verdict.kind] = verdicts.get(verdict.kind, 0) + 1
        if verdicts:
            log.warning("campaign run %d: ambiguous messages checked in the conversation: %s", ledger.run_id, verdicts)
        return verdicts.get("absent", 0)

    def _send_one(self, channel: str, message: dict[str, Any]) -> SendOne:
        if channel == "template":
            return lambda user_id: self.zalo.send_template(user_id, message["template_id"], message["template_data"],
                                                           retry=False)
        return lambda user_id: self.zalo.send_message(user_id, message, retry=False)

    def _watch(self, run_id: int, lease: Lease) -> Halt | None:
        """Every second while sending: keep the lease, notice an officer's pause or cancel."""
        if not lease.acquire():
            return Halt("pending", "lease_lost")
        status = self._status(run_id)
        if status in ("paused", "cancelled"):
            return Halt(status, "officer")
        return None

    def _status(self, run_id: int) -> str:
        with self.storage.connect() as db:
            return delivery.run_status(db, run_id) or "missing"

    def _channel(self, campaign_id: str) -> str:
        with self.storage.connect() as db:
            return channel_of(db, campaign_id)

    def busy(self) -> list[int]:
        """Runs this process is delivering right now."""
        with self._lock:
            return sorted(self._active)
