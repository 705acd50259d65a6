"""What officers can do with campaigns; the CLI and the admin API are thin adapters over this.

Refusals raise CampaignActionError with a Vietnamese message for the officer; validation
problems raise CampaignError with `file:line` messages.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from bot import agency
from bot.campaigns import audience, delivery, labels, report, store
from bot.campaigns.loader import LoadContext, load_file, load_text
from bot.campaigns.model import ACTIVE_RUN, STICKY, Audience, Campaign
from bot.campaigns.runner import Runner
from bot.campaigns.runs import create_run, run_message
from bot.campaigns.schedule import blocked_until, make_trigger, next_fire
from bot.campaigns.store import CampaignStore, record, refresh_status
from bot.campaigns.store import delete as store_delete
from bot.campaigns.timing import Timing, check_timing
from bot.clock import iso, utc_now
from bot.config import Config
from bot.storage import Storage
from bot.wiring import open_storage, zalo_client

UNFINISHED = (*ACTIVE_RUN, "paused", "failed")

log = logging.getLogger(__name__)


def open_campaigns(config: Config, clock: Callable[[], datetime] = utc_now) -> Campaigns:
    """For commands run outside the web app: the same storage and Zalo wiring as Runtime."""
    storage = open_storage(config)
    return Campaigns(config, storage, zalo_client(config, storage), clock)


@dataclass(frozen=True)
class Added:
    """A campaign file validated (`outcome` "valid") or stored ("added", "updated", "unchanged"),
    with when it will really be sent and the officer's warnings."""

    id: str
    outcome: str
    timing: Timing

    def as_json(self) -> dict[str, Any]:
        moment = self.timing.real_send
        return {"id": self.id, "outcome": self.outcome, "warnings": self.timing.warnings,
                "next_send": self.timing.next_send and self.timing.next_send.isoformat(),
                "real_send": moment and moment.isoformat(), "when": self.timing.describe()}


@dataclass(frozen=True)
class SendNow:
    """What `send_now` started: the run, whether it continues an unfinished one, and with `again`
    how many people of the new run already received this campaign."""

    run_id: int
    resumed: bool = False
    again: bool = False
    already_received: int = 0
    again_deferred: bool = False  # `again` asked while a run was unfinished: that run continues, no repeat yet

    def describe(self) -> str:
        if self.again_deferred:
            return (f"Lượt gửi {self.run_id} chưa xong nên chưa gửi lại: lượt đó tiếp tục; gửi lại sau khi lượt đó"
                    " kết thúc.")
        if self.resumed:
            return f"Tiếp tục lượt gửi {self.run_id} chưa xong."
        if self.again:
            return (f"Gửi lại (lượt {self.run_id}): {self.already_received} người trong đối tượng đã nhận chiến dịch"
                    " này trước đó và sẽ nhận thêm lần nữa.")
        return f"Bắt đầu lượt gửi {self.run_id}."


class CampaignActionError(Exception):
    """The operation is not possible now; the message says why, for the officer."""


class CampaignNotFound(CampaignActionError):
    """No campaign with that id."""


class Campaigns:
    def __init__(self, config: Config, storage: Storage, zalo: Any, clock: Callable[[], datetime] = utc_now):
        self.tz = ZoneInfo(config.timezone)
        self.placeholders = config.agency.placeholders()
        self.agency = config.agency
        ctx = LoadContext(dict(config.campaigns.topics), self.placeholders, self.tz)
        self.store = CampaignStore(storage, ctx, timedelta(minutes=config.campaigns.misfire_grace_minutes))
        self.storage = storage
        self.clock = clock  # every rule that depends on "now" reads this one clock (tests pin it)
        self.runner = Runner(self.store, zalo, config.campaigns, self.tz, clock)

    # --- adding ------------------------------------------------------------------------
    def check_path(self, path: str | Path) -> list[Added]:
        """`add --check`: the same validation and timing rules as `add_path`, storing nothing."""
        return [Added(c.id, "valid", self._timing(c)) for c in self._load_path(path)]

    def add_path(self, path: str | Path) -> list[Added]:
        """A file, or every *.yaml in a directory; all are validated before any is stored."""
        checked = [(c, self._timing(c)) for c in self._load_path(path)]
        return [Added(c.id, self.store.upsert(c, self.clock()), timing) for c, timing in checked]

    def add_text(self, text: str, source: str = "request") -> Added:
        campaign = load_text(text, source, self.store.ctx)
        timing = self._timing(campaign)
        return Added(campaign.id, self.store.upsert(campaign, self.clock()), timing)

    def _load_path(self, path: str | Path) -> list[Campaign]:
        path = Path(path)
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        return [load_file(f, self.store.ctx) for f in files]

    def _timing(self, campaign: Campaign) -> Timing:
        timing = check_timing(campaign, self.clock(), self.tz, self.store.grace, self.runner.quiet)
        where = campaign.source or campaign.id
        unset = [f"{where}: {warning}" for warning in agency.unset_in(campaign.content.text, self.agency)]
        return replace(timing, warnings=[*timing.warnings, *unset]) if unset else timing

    # --- reading -----------------------------------------------------------------------
    def row(self, campaign_id: str) -> dict[str, Any]:
        row = self.store.get(campaign_id)
        if row is None:
            raise CampaignNotFound(f"không có chiến dịch `{campaign_id}`")
        return row

    def summary(self, row: dict[str, Any]) -> dict[str, Any]:
        campaign = self.store.campaign(row)
        # A paused, failed or cancelled campaign sends nothing until an officer acts: no next send to show.
        due = row["next_due_at"] and row["status"] not in STICKY and _local(row["next_due_at"], self.tz)
        sends_at = due and self._really_sends(datetime.fromisoformat(row["next_due_at"]), campaign.channel)
        return {"id": row["id"], "title": row["title"], "channel": row["channel"], "status": row["status"],
                "status_label": labels.status(row["status"]), "enabled": bool(row["enabled"]),
                "audience": campaign.audience.describe(), "schedule": campaign.schedule.describe(),
                "next_run": due or None, "sends_at": sends_at or None, "source": row["source"]}

    def _really_sends(self, due: datetime, channel: str) -> str:
        """The next run's local time once the quiet hours (and Zalo's night ban) are waited out."""
        local = max(due, self.clock()).astimezone(self.tz)
        return f"{blocked_until(local, channel, self.runner.quiet) or local:%Y-%m-%d %H:%M}"

    def list(self) -> list[dict[str, Any]]:
        return [self.summary(row) for row in self.store.all()]

    def show(self, campaign_id: str) -> dict[str, Any]:
        row = self.row(campaign_id)
        return {**self.summary(row), "spec": json.loads(row["spec"]), "runs": self.store.runs(campaign_id),
                "history": self.store.history(campaign_id)}

    # --- officer actions ---------------------------------------------------------------
    def pause(self, campaign_id: str) -> str:
        return self._transition(campaign_id, "paused", "tạm dừng")

    def cancel(self, campaign_id: str) -> str:
        return self._transition(campaign_id, "cancelled", "hủy")

    def _transition(self, campaign_id: str, status: str, verb: str) -> str:
        now = self.clock()
        with self.storage.transaction() as db:
            current = self._status(db, campaign_id)
            if current == "cancelled":
                raise CampaignActionError(f"chiến dịch `{campaign_id}` đã bị hủy")
            delivery.stop_unfinished(db, campaign_id, status, UNFINISHED, now)
            if status == "cancelled":
                store.set_next_due(db, campaign_id, None)
            store.set_status(db, campaign_id, status, now)
            record(db, campaign_id, status, "cán bộ " + verb, at=now)
        return f"Đã {verb} chiến dịch `{campaign_id}`."

    def delete(self, campaign_id: str) -> str:
        """Remove a cancelled campaign with everything recorded about it, in one transaction, so no
        run or delivery row is left pointing at a campaign that no longer exists (and its id can be
        used again). What was delivered stays in citizens' Zalo; the count deleted is logged."""
        now = self.clock()
        with self.storage.transaction() as db:
            status = self._status(db, campaign_id)
            if status != "cancelled":
                raise CampaignActionError(f"chiến dịch `{campaign_id}` {labels.status(status)}; chỉ xóa được chiến dịch"
                                          " đã hủy (dùng `cancel` trước)")
            if delivery.in_flight(db, campaign_id):
                raise CampaignActionError(f"chiến dịch `{campaign_id}` còn tin đang gửi dở; thử lại sau ít giây")
            deliveries = delivery.delete_for_campaign(db, campaign_id)
            runs = delivery.delete_runs(db, campaign_id)
            store_delete(db, campaign_id)
        log.info("campaign %s deleted at %s: %d runs, %d delivery records", campaign_id, iso(now), runs, deliveries)
        return f"Đã xóa chiến dịch `{campaign_id}` cùng {runs} lượt gửi và {deliveries} bản ghi gửi tin."

    def resume(self, campaign_id: str) -> str:
        """Start a draft's schedule, or continue a paused or failed campaign where it stopped."""
        now = self.clock()
        row = self.row(campaign_id)
        campaign = self.store.campaign(row)
        with self.storage.transaction() as db:
            if self._status(db, campaign_id) == "cancelled":
                raise CampaignActionError(f"chiến dịch `{campaign_id}` đã bị hủy; thêm lại với mã khác")
            if not row["enabled"]:
                due = next_fire(make_trigger(campaign.schedule, self.tz), now)
                if (due is None and campaign.schedule.kind != "manual") or (due and due < now - self.store.grace):
                    raise CampaignActionError(f"lịch của `{campaign_id}` không còn lần gửi nào; sửa `schedule` rồi add lại")
                store.set_next_due(db, campaign_id, due, enable=True)
            message = json.dumps(run_message(campaign, self.placeholders), ensure_ascii=False)
            delivery.resume_runs(db, campaign_id, message)
            store.set_status(db, campaign_id, "draft", now)
            record(db, campaign_id, "resumed", "cán bộ tiếp tục", at=now)
            status = refresh_status(db, campaign_id, now)
        return f"Chiến dịch `{campaign_id}`: {labels.status(status)}."

    def send_now(self, campaign_id: str, *, again: bool = False) -> SendNow:
        """The run to deliver now: the unfinished one (e.g. after a crash), else a new manual run.

        A one-off campaign (`at:` or no schedule) reaches each person once: sending it now replaces
        its scheduled time, and once it reached anybody a new run needs `again` — the officer then
        learns how many of its audience already received it."""
        now = self.clock()
        with self.storage.transaction() as db:
            status = self._status(db, campaign_id)
            if status in ("cancelled", "paused", "failed"):
                hint = "" if status == "cancelled" else "; dùng `resume` trước"
                raise CampaignActionError(f"chiến dịch `{campaign_id}` {labels.status(status)}{hint}")
            active = delivery.active_run(db, campaign_id)
            if active is not None:
                return SendNow(active, resumed=True, again_deferred=again)
            campaign = self.store.campaign(self.row(campaign_id))
            one_off = campaign.schedule.kind != "cron"
            if one_off:
                reached = delivery.people_reached(db, campaign_id)
                if reached and not again:
                    raise CampaignActionError(
                        f"chiến dịch `{campaign_id}` chỉ gửi một lần và đã tới {reached} người; muốn gửi lại cho"
                        " cả đối tượng thì dùng `send-now --again` (admin API: `?again=1`)")
                store.set_next_due(db, campaign_id, None)
            run_id = create_run(db, campaign, now, "manual", now, self.placeholders)
            if run_id is None:  # another send-now of this campaign in the same millisecond
                raise CampaignActionError(f"chiến dịch `{campaign_id}` vừa được gửi cùng lúc; thử lại sau giây lát")
            already = delivery.already_received(db, campaign_id, run_id) if again else 0
            record(db, campaign_id, "send_again" if again else "send_now",
                   f"run {run_id}" + (f", {already} người đã nhận trước đó" if again else ""), at=now)
            refresh_status(db, campaign_id, now)
        return SendNow(run_id, resumed=False, again=again, already_received=already)

    def dry_run(self, campaign_id: str, limit: int = 50) -> dict[str, Any]:
        campaign = self.store.campaign(self.row(campaign_id))
        if campaign.channel == "article":
            return {"channel": "article", "target": campaign.content.target,
                    "note": "Zalo tự gửi tới người quan tâm khớp bộ lọc; không có danh sách từng người"}
        with self.storage.connect() as db:
            reached = delivery.people_reached(db, campaign_id) if campaign.schedule.kind != "cron" else 0
            return {"channel": campaign.channel, "already_sent": reached,  # a one-off: sending again needs `again`
                    **audience.preview(db, campaign.audience, campaign.channel, self.clock(), limit)}

    def audience_preview(self, target: Audience, channel: str, limit: int = 0) -> dict[str, Any]:
        """Who an audience reaches now and who is skipped why, before any campaign exists (the console's live count)."""
        with self.storage.connect() as db:
            return audience.preview(db, target, channel, utc_now(), limit)

    def report(self, campaign_id: str, run_id: int | None = None) -> dict[str, Any]:
        run_id = self._run_of(campaign_id, run_id)
        with self.storage.connect() as db:
            result = report.run_report(db, run_id)
            result["runs"] = report.campaign_summary(db, campaign_id, self.tz)
        result["totals"] = report.summary_totals(result["runs"])
        runs = self.store.runs(campaign_id, limit=100)
        result["run"] = next((r for r in runs if r["id"] == run_id), None)
        result["missed"] = [r for r in runs if r["status"] == "missed"]
        return result

    def report_csv(self, campaign_id: str, run_id: int | None, out: IO[str], *, machine: bool = False,
                   summary: bool = False) -> int:
        """One line per recipient of a run, or with `summary` one line per run and the totals."""
        if summary:
            self.row(campaign_id)
            with self.storage.connect() as db:
                return report.write_summary_csv(report.campaign_summary(db, campaign_id, self.tz), out, machine)
        run_id = self._run_of(campaign_id, run_id)
        with self.storage.connect() as db:
            return report.write_csv(db, run_id, out, self.tz, machine)

    def _run_of(self, campaign_id: str, run_id: int | None) -> int:
        """The run asked for, which must belong to this campaign; the latest one by default."""
        if run_id is None:
            return self._latest_run(campaign_id)
        self.row(campaign_id)
        with self.storage.connect() as db:
            found = delivery.run_belongs(db, run_id, campaign_id)
        if not found:
            raise CampaignNotFound(f"chiến dịch `{campaign_id}` không có lượt gửi {run_id}")
        return run_id

    def run_status(self, run_id: int) -> tuple[str, str | None, dict[str, int]]:
        with self.storage.connect() as db:
            run = delivery.get_run(db, run_id)
            if run is None:
                raise CampaignNotFound(f"không có lượt gửi {run_id}")
            status, resume_at = run["status"], run["resume_at"]
            counts = delivery.counts(db, run_id)
        return status, resume_at and _local(resume_at, self.tz), counts

    def _latest_run(self, campaign_id: str) -> int:
        self.row(campaign_id)
        with self.storage.connect() as db:
            latest = delivery.latest_run(db, campaign_id)
        if not latest:
            raise CampaignActionError(f"chiến dịch `{campaign_id}` chưa gửi lần nào")
        return latest

    @staticmethod
    def _status(db: Any, campaign_id: str) -> str:
        status = store.status_of(db, campaign_id)
        if status is None:
            raise CampaignNotFound(f"không có chiến dịch `{campaign_id}`")
        return status


def _local(stamp: str, tz: ZoneInfo) -> str:
    return datetime.fromisoformat(stamp).astimezone(tz).strftime("%Y-%m-%d %H:%M")
