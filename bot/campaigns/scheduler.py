"""The campaign scheduler: APScheduler in exactly one process, its jobs rebuilt from our tables.

Exactly one: every web worker (and `python -m bot scheduler`) runs a candidate that tries to
take the `scheduler` lease in the database every lease_seconds/3; the holder runs APScheduler,
the others wait. If the holder dies its lease expires (or is taken at once on the same host) and
another candidate leads. APScheduler's own FAQ warns that several workers would each run the jobs.

Persistent state without SQLAlchemy: APScheduler's SQLAlchemyJobStore would add a dependency and
pickle our callables into the database. Instead `campaigns.next_due_at` is the persistent state;
the leader mirrors it into in-memory jobs with fixed ids (`campaign:<id>`, `replace_existing`)
using the campaign's real trigger and an explicit time zone, and re-syncs every tick, which also
picks up campaigns added by the CLI or another web worker. Misfires: a job that fires late (or
a fire time that passed while no scheduler ran) goes through `runs.catch_up`, which runs the
latest missed time if it is within `misfire_grace_minutes` and records the others as missed;
APScheduler gets the same grace (not its 1-second default) and reports jobs it dropped as missed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from bot.campaigns.runner import Runner
from bot.campaigns.runs import catch_up
from bot.campaigns.schedule import make_trigger
from bot.campaigns.store import CampaignStore
from bot.clock import iso, utc_now
from bot.config import CampaignSettings
from bot.lease import Lease

log = logging.getLogger(__name__)

SCHEDULABLE = ("scheduled", "running", "paused", "failed")  # paused/failed fires are recorded as missed


class CampaignScheduler:
    def __init__(self, store: CampaignStore, runner: Runner, settings: CampaignSettings, tz: ZoneInfo):
        self.store = store
        self.runner = runner
        self.settings = settings
        self.tz = tz
        self.lease = Lease(store.storage, "scheduler", settings.lease_seconds)
        self._aps: BackgroundScheduler | None = None
        self._mirrored: dict[str, str] = {}  # job id -> next_due_at it was armed with
        self._stop = threading.Event()
        self._lock = threading.Lock()  # the mirror of jobs: ticks and fires versus stepping down
        self._thread: threading.Thread | None = None

    @property
    def leading(self) -> bool:
        return self._aps is not None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._candidate, name="campaign-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(10)
        self._step_down()
        self.lease.release()

    def status(self) -> dict[str, Any]:
        """`leader`: this process; `led_by`: whichever process holds the lease (e.g. the worker)."""
        return {"leader": self.leading, "led_by": self.lease.current_holder(), "jobs": len(self._mirrored),
                "delivering": self.runner.busy()}

    def _candidate(self) -> None:
        while not self._stop.is_set():
            try:
                if self.lease.acquire():
                    if not self.leading:
                        self._lead()
                elif self.leading:
                    log.warning("campaign scheduler: lease lost, another process leads now")
                    self._step_down()
            except Exception:  # the boundary of this thread: a database hiccup must not end candidacy
                log.exception("campaign scheduler: lease check failed")
            self._stop.wait(self.settings.lease_seconds / 3)

    def _lead(self) -> None:
        grace = int(self.settings.misfire_grace_minutes * 60) or 1
        # One executor thread: fires and ticks run one after another, never racing on the same campaign
        # (runs are delivered by the Runner's own threads, so a fire only creates the run).
        aps = BackgroundScheduler(timezone=self.tz, executors={"default": ThreadPoolExecutor(1)}, job_defaults={
            "misfire_grace_time": grace, "coalesce": True, "max_instances": 1})
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per tick; ours say what happened
        aps.add_listener(self._missed, EVENT_JOB_MISSED)
        aps.start()
        self._aps = aps
        aps.add_job(self.tick, "interval", seconds=self.settings.tick_seconds, id="campaigns:tick",
                    replace_existing=True, next_run_time=datetime.now(self.tz))
        log.info("campaign scheduler: this process leads (time zone %s)", self.tz.key)

    def _step_down(self) -> None:
        aps, self._aps = self._aps, None
        if aps is not None:
            aps.shutdown(wait=False)  # wait=True deadlocks when a running tick calls add_job
        with self._lock:
            self._mirrored.clear()

    def tick(self) -> None:
        """Sync jobs with the table, then (re)start runs that have work: new, interrupted, done waiting."""
        self.sync()
        if self._aps is None or self._stop.is_set():
            return
        for run_id in self.store.runs_needing_work(utc_now()):
            if Lease(self.store.storage, f"run:{run_id}", self.settings.lease_seconds).current_holder() is None:
                self.runner.submit(run_id)

    def sync(self) -> None:
        with self._lock:
            aps = self._aps
            if aps is not None and not self._stop.is_set():
                self._sync(aps)

    def _sync(self, aps: BackgroundScheduler) -> None:
        wanted: dict[str, dict[str, Any]] = {}
        for row in self.store.all():
            if row["enabled"] and row["status"] in SCHEDULABLE and row["next_due_at"]:
                if datetime.fromisoformat(row["next_due_at"]) <= utc_now():
                    self._fire(row["id"])  # due while no scheduler ran, or just now
                    row = self.store.get(row["id"]) or row
                if row["next_due_at"]:
                    wanted[f"campaign:{row['id']}"] = row
        for job_id in set(self._mirrored) - set(wanted):
            with contextlib.suppress(JobLookupError):  # a one-off job APScheduler already removed
                aps.remove_job(job_id)
            del self._mirrored[job_id]
        for job_id, row in wanted.items():
            if self._mirrored.get(job_id) != row["next_due_at"]:
                self._arm(aps, job_id, row)

    def _arm(self, aps: BackgroundScheduler, job_id: str, row: dict[str, Any]) -> None:
        trigger = make_trigger(self.store.campaign(row).schedule, self.tz)
        aps.add_job(self.fire, trigger, args=[row["id"]], id=job_id, replace_existing=True,
                    next_run_time=datetime.fromisoformat(row["next_due_at"]).astimezone(self.tz))
        self._mirrored[job_id] = row["next_due_at"]

    def fire(self, campaign_id: str) -> None:
        """A campaign's time came (APScheduler job)."""
        with self._lock:
            if self._aps is not None and not self._stop.is_set():
                self._fire(campaign_id)

    def _fire(self, campaign_id: str) -> None:
        run_id = catch_up(self.store, campaign_id, utc_now(), self.store.ctx.placeholders)
        if run_id is not None:
            log.info("campaign %s: run %d created at %s", campaign_id, run_id, iso(utc_now()))
            self.runner.submit(run_id)
        self._mirrored.pop(f"campaign:{campaign_id}", None)  # re-armed from next_due_at by the next sync

    def _missed(self, event: JobExecutionEvent) -> None:
        """APScheduler skipped a job beyond the grace time: let catch_up record it (in the executor)."""
        aps = self._aps
        if aps is not None and event.job_id.startswith("campaign:"):
            aps.add_job(self.fire, args=[event.job_id.removeprefix("campaign:")])
