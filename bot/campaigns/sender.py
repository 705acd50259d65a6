"""Deliver one consultation or template run: a feeder pages the pending rows into a bounded
queue, a few threads send through the shared Zalo client (one pooled session).

Each send is a single Zalo request (`retry=False`): retries happen here, at campaign level, so a
-32 closes one gate for every thread instead of each thread retrying on its own. What an error
means (reference §5) decides what happens next:
  recipient errors (-213, -230/-232, -218, -227, -244)  → that row failed with its reason, never retried
  -32, HTTP 5xx, network, -200                          → row back to pending, whole campaign backs off
  read timeout after sending                            → row ambiguous (or resent, by policy)
  -234 night rule, our quiet hours                      → run waits and continues after the window
  -211 out of quota                                     → run paused, an officer resumes it
  content/config/auth errors (-201, -233, -248, OA/app) → run stops, campaign failed, alert
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.campaigns.delivery import Ledger
from bot.campaigns.ratelimit import Backoff, Pacer
from bot.campaigns.schedule import NIGHT_RULE, Window, blocked_until
from bot.clock import utc_now
from bot.config import CampaignSettings
from bot.zalo.errors import ErrorKind, ZaloError

log = logging.getLogger(__name__)

PAGE = 500
WATCH_EVERY = 1.0  # seconds between checks for an officer's pause/cancel (and lease renewals)


@dataclass(frozen=True)
class Halt:
    """Why a run stopped before finishing: the run's next status, a reason, when to continue."""

    status: str  # waiting | paused | failed | cancelled | pending (interrupted: another process may continue)
    reason: str
    resume_at: datetime | None = None


SendOne = Callable[[str], str]  # user_id -> Zalo message id


class Sender:
    def __init__(self, ledger: Ledger, send_one: SendOne, *, settings: CampaignSettings, pacer: Pacer,
                 tz: ZoneInfo, quiet: Window | None, sandbox: bool, now: Callable[[], datetime] = utc_now):
        self.ledger = ledger
        self.send_one = send_one
        self.settings = settings
        self.pacer = pacer
        self.backoff = Backoff(settings.backoff_seconds, settings.max_backoff_seconds)
        self.tz = tz
        self.quiet = quiet
        self.delivered_status = "sandbox" if sandbox else "sent"
        self.now = now
        self.stop = threading.Event()
        self.halt: Halt | None = None
        self._halt_lock = threading.Lock()
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=settings.concurrency * 4)

    def interrupt(self, halt: Halt) -> None:
        """Stop sending (first reason wins); rows in flight finish, queued ones stay pending."""
        with self._halt_lock:
            if self.halt is None:
                self.halt = halt
        self.stop.set()

    def run(self, watch: Callable[[], Halt | None]) -> Halt | None:
        """Deliver every pending row; returns why it stopped early, or None when nothing is left."""
        workers = [threading.Thread(target=self._work, name=f"campaign-send-{i}", daemon=True)
                   for i in range(self.settings.concurrency)]
        watcher = threading.Thread(target=self._watch, args=(watch,), name="campaign-watch", daemon=True)
        for thread in (*workers, watcher):
            thread.start()
        try:
            while self._one_pass():
                pass
        finally:
            for _ in workers:
                self._queue.put(None)
            for thread in workers:
                thread.join()
            self.stop.set()
            watcher.join()
        return self.halt

    def _one_pass(self) -> bool:
        """Queue every pending row once; True when rows went back to pending and need another pass."""
        after = ""
        while not self.stop.is_set():
            if until := self._blocked():
                self.interrupt(Halt("waiting", "quiet_hours", until))
                break
            eligible, last = self.ledger.page(after, PAGE, self.now())
            if last is None:
                break
            for user_id in eligible:
                self._put(user_id)
            after = last
        self._queue.join()
        return not self.stop.is_set() and self.ledger.pending() > 0

    def _put(self, user_id: str) -> None:
        while not self.stop.is_set():
            try:
                self._queue.put(user_id, timeout=0.2)
                return
            except queue.Full:
                continue

    def _watch(self, watch: Callable[[], Halt | None]) -> None:
        while not self.stop.wait(WATCH_EVERY):
            if halt := watch():
                self.interrupt(halt)

    def _blocked(self) -> datetime | None:
        return blocked_until(self.now().astimezone(self.tz), self.ledger.channel, self.quiet)

    def _work(self) -> None:
        while (user_id := self._queue.get()) is not None:
            try:
                if not self.stop.is_set():
                    self._deliver(user_id)
            except Exception:  # the boundary for one recipient: stop the run, keep the process. A row left
                # `sending` may have gone out; the next delivery of this run records it ambiguous.
                log.exception("campaign run %d: unexpected error", self.ledger.run_id)
                self.interrupt(Halt("failed", "internal_error"))
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _deliver(self, user_id: str) -> None:
        self.backoff.wait(self.stop)
        self.pacer.wait(self.stop)
        if self.stop.is_set():
            return
        if until := self._blocked():
            self.interrupt(Halt("waiting", "quiet_hours", until))
            return
        attempt = self.ledger.claim(user_id)
        if not attempt:
            return
        try:
            message_id = self.send_one(user_id)
        except ZaloError as exc:
            self._failed(user_id, attempt, exc)
            return
        self.ledger.finish(user_id, self.delivered_status, message_id=message_id)
        self.backoff.success()

    def _failed(self, user_id: str, attempt: int, exc: ZaloError) -> None:
        kind = exc.kind
        if kind is ErrorKind.UNREACHABLE:
            self.ledger.finish(user_id, "failed", reason=exc.reason, error_code=exc.code)
        elif kind is ErrorKind.AMBIGUOUS:
            if self.settings.ambiguous_policy == "resend" and attempt < self.settings.max_attempts:
                self.ledger.release(user_id, "ambiguous_resent")
            else:
                self.ledger.finish(user_id, "ambiguous", reason="timeout_after_sending", error_code=exc.code)
        elif kind in (ErrorKind.RATE_LIMIT, ErrorKind.TRANSIENT):
            self._retry_later(user_id, attempt, exc)
        else:
            self.ledger.release(user_id, exc.reason, refund=True)
            self.interrupt(self._halt_for(exc))

    def _retry_later(self, user_id: str, attempt: int, exc: ZaloError) -> None:
        """-32 is nobody's fault and does not use up the recipient's attempts; other transient errors do."""
        rate_limited = exc.kind is ErrorKind.RATE_LIMIT
        if attempt >= self.settings.max_attempts and not rate_limited:
            self.ledger.finish(user_id, "failed", reason=exc.reason, error_code=exc.code)
        else:
            self.ledger.release(user_id, exc.reason, refund=rate_limited)
        delay = self.backoff.trip()
        log.warning("campaign run %d: %s; all sending paused for %.1fs", self.ledger.run_id, exc, delay)

    def _halt_for(self, exc: ZaloError) -> Halt:
        if exc.kind is ErrorKind.NIGHT:
            now = self.now().astimezone(self.tz)  # Zalo's clock may be ahead of ours: then wait a while anyway
            until = blocked_until(now, "article", NIGHT_RULE) or now + timedelta(minutes=10)
            return Halt("waiting", "zalo_night_rule", until)
        if exc.kind is ErrorKind.QUOTA:
            return Halt("paused", "out_of_quota")
        log.error("CAMPAIGN STOPPED: run %d got %s; fix the content or the OA setup, then `campaigns resume`",
                  self.ledger.run_id, exc)
        return Halt("failed", f"{exc.reason}: {exc.message}"[:200])
