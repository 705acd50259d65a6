"""What officers can do with campaigns; the CLI and the admin API are thin adapters over this.

Refusals raise CampaignActionError with a Vietnamese message for the officer; validation
problems raise CampaignError with `file:line` messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from bot.campaigns import audience, report
from bot.campaigns.loader import LoadContext, load_file, load_text
from bot.campaigns.model import ACTIVE_RUN, Audience
from bot.campaigns.runner import Runner
from bot.campaigns.runs import create_run, run_message
from bot.campaigns.schedule import make_trigger, next_fire
from bot.campaigns.store import CampaignStore, record, refresh_status
from bot.clock import iso, utc_now
from bot.config import Config
from bot.storage import Storage
from bot.zalo import SandboxZalo, ZaloClient
from bot.zalo.tokens import TokenManager

UNFINISHED = (*ACTIVE_RUN, "paused", "failed")


def open_campaigns(config: Config) -> Campaigns:
    """For commands run outside the web app: the same storage and Zalo wiring as Runtime."""
    storage = Storage(config.database)
    storage.migrate()
    return Campaigns(config, storage, make_zalo(config, storage))


def make_zalo(config: Config, storage: Storage) -> Any:
    """The real client when credentials are set, else the sandbox (deliveries recorded as `sandbox`)."""
    if config.secrets.sandbox:
        return SandboxZalo()
    tokens = TokenManager(storage, config.secrets, config.zalo)
    tokens.seed_from_environment()
    return ZaloClient(config.zalo, tokens)


class CampaignActionError(Exception):
    """The operation is not possible now; the message says why, for the officer."""


class CampaignNotFound(CampaignActionError):
    """No campaign with that id."""


class Campaigns:
    def __init__(self, config: Config, storage: Storage, zalo: Any, clock: Callable[[], datetime] = utc_now):
        self.tz = ZoneInfo(config.timezone)
        self.placeholders = config.agency.placeholders()
        ctx = LoadContext(dict(config.campaigns.topics), self.placeholders, self.tz)
        self.store = CampaignStore(storage, ctx, timedelta(minutes=config.campaigns.misfire_grace_minutes))
        self.storage = storage
        self.runner = Runner(self.store, zalo, config.campaigns, self.tz, clock)

    # --- adding ------------------------------------------------------------------------
    def add_path(self, path: str | Path) -> list[tuple[str, str]]:
        """A file, or every *.yaml in a directory; all are validated before any is stored."""
        path = Path(path)
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        campaigns = [load_file(f, self.store.ctx) for f in files]
        return [(c.id, self.store.upsert(c, utc_now())) for c in campaigns]

    def add_text(self, text: str, source: str = "request") -> tuple[str, str]:
        campaign = load_text(text, source, self.store.ctx)
        return campaign.id, self.store.upsert(campaign, utc_now())

    # --- reading -----------------------------------------------------------------------
    def row(self, campaign_id: str) -> dict[str, Any]:
        row = self.store.get(campaign_id)
        if row is None:
            raise CampaignNotFound(f"không có chiến dịch `{campaign_id}`")
        return row

    def summary(self, row: dict[str, Any]) -> dict[str, Any]:
        campaign = self.store.campaign(row)
        due = row["next_due_at"] and _local(row["next_due_at"], self.tz)
        return {"id": row["id"], "title": row["title"], "channel": row["channel"], "status": row["status"],
                "enabled": bool(row["enabled"]), "audience": campaign.audience.describe(),
                "schedule": campaign.schedule.describe(), "next_run": due or None, "source": row["source"]}

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
        now = utc_now()
        with self.storage.transaction() as db:
            current = self._status(db, campaign_id)
            if current == "cancelled":
                raise CampaignActionError(f"chiến dịch `{campaign_id}` đã bị hủy")
            db.execute("UPDATE campaign_runs SET status = ?, reason = 'officer' WHERE campaign_id = ? AND status IN"
                       f" ({','.join('?' * len(UNFINISHED))})", [status, campaign_id, *UNFINISHED])
            if status == "cancelled":
                db.execute("UPDATE campaign_deliveries SET status = 'skipped', reason = 'cancelled', updated_at = ?"
                           " WHERE status = 'pending' AND run_id IN (SELECT id FROM campaign_runs WHERE campaign_id = ?)",
                           [iso(now), campaign_id])
                db.execute("UPDATE campaigns SET next_due_at = NULL WHERE id = ?", [campaign_id])
            db.execute("UPDATE campaigns SET status = ?, updated_at = ? WHERE id = ?", [status, iso(now), campaign_id])
            record(db, campaign_id, status, "cán bộ " + verb, at=now)
        return f"Đã {verb} chiến dịch `{campaign_id}`."

    def resume(self, campaign_id: str) -> str:
        """Start a draft's schedule, or continue a paused or failed campaign where it stopped."""
        now = utc_now()
        row = self.row(campaign_id)
        campaign = self.store.campaign(row)
        with self.storage.transaction() as db:
            if self._status(db, campaign_id) == "cancelled":
                raise CampaignActionError(f"chiến dịch `{campaign_id}` đã bị hủy; thêm lại với mã khác")
            if not row["enabled"]:
                due = next_fire(make_trigger(campaign.schedule, self.tz), now)
                if (due is None and campaign.schedule.kind != "manual") or (due and due < now - self.store.grace):
                    raise CampaignActionError(f"lịch của `{campaign_id}` không còn lần gửi nào; sửa `schedule` rồi add lại")
                db.execute("UPDATE campaigns SET enabled = 1, next_due_at = ? WHERE id = ?", [due and iso(due), campaign_id])
            message = json.dumps(run_message(campaign, self.placeholders), ensure_ascii=False)
            db.execute("UPDATE campaign_runs SET message = CASE WHEN status = 'failed' THEN ? ELSE message END,"
                       " status = 'pending', reason = NULL WHERE campaign_id = ? AND status IN ('paused', 'failed')",
                       [message, campaign_id])
            db.execute("UPDATE campaigns SET status = 'draft', updated_at = ? WHERE id = ?", [iso(now), campaign_id])
            record(db, campaign_id, "resumed", "cán bộ tiếp tục", at=now)
            status = refresh_status(db, campaign_id, now)
        return f"Chiến dịch `{campaign_id}`: {status}."

    def send_now(self, campaign_id: str) -> int:
        """The run to deliver now: the unfinished one (e.g. after a crash), else a new manual run."""
        now = utc_now()
        with self.storage.transaction() as db:
            status = self._status(db, campaign_id)
            if status in ("cancelled", "paused", "failed"):
                raise CampaignActionError(f"chiến dịch `{campaign_id}` đang {status}; dùng `resume` trước")
            row = db.execute(f"SELECT id FROM campaign_runs WHERE campaign_id = ? AND status IN"
                             f" ({','.join('?' * len(ACTIVE_RUN))}) ORDER BY id DESC LIMIT 1",
                             [campaign_id, *ACTIVE_RUN]).fetchone()
            if row:
                return row[0]
            campaign = self.store.campaign(self.row(campaign_id))
            run_id = create_run(db, campaign, now, "manual", now, self.placeholders)
        assert run_id is not None
        return run_id

    def dry_run(self, campaign_id: str, limit: int = 50) -> dict[str, Any]:
        campaign = self.store.campaign(self.row(campaign_id))
        if campaign.channel == "article":
            return {"channel": "article", "target": campaign.content.target,
                    "note": "Zalo tự gửi tới người quan tâm khớp bộ lọc; không có danh sách từng người"}
        with self.storage.connect() as db:
            return {"channel": campaign.channel,
                    **audience.preview(db, campaign.audience, campaign.channel, utc_now(), limit)}

    def audience_preview(self, target: Audience, channel: str, limit: int = 0) -> dict[str, Any]:
        """Who an audience reaches now and who is skipped why, before any campaign exists (the console's live count)."""
        with self.storage.connect() as db:
            return audience.preview(db, target, channel, utc_now(), limit)

    def report(self, campaign_id: str, run_id: int | None = None) -> dict[str, Any]:
        run_id = run_id or self._latest_run(campaign_id)
        with self.storage.connect() as db:
            result = report.run_report(db, run_id)
        runs = self.store.runs(campaign_id, limit=100)
        result["run"] = next((r for r in runs if r["id"] == run_id), None)
        result["missed"] = [r for r in runs if r["status"] == "missed"]
        return result

    def report_csv(self, campaign_id: str, run_id: int | None, out: IO[str]) -> int:
        with self.storage.connect() as db:
            return report.write_csv(db, run_id or self._latest_run(campaign_id), out)

    def run_status(self, run_id: int) -> tuple[str, str | None, dict[str, int]]:
        with self.storage.connect() as db:
            status, resume_at = db.execute("SELECT status, resume_at FROM campaign_runs WHERE id = ?", [run_id]).fetchone()
            counts = dict(db.execute("SELECT status, count(*) FROM campaign_deliveries WHERE run_id = ? GROUP BY 1",
                                     [run_id]).fetchall())
        return status, resume_at and _local(resume_at, self.tz), counts

    def _latest_run(self, campaign_id: str) -> int:
        self.row(campaign_id)
        with self.storage.connect() as db:
            row = db.execute("SELECT max(id) FROM campaign_runs WHERE campaign_id = ? AND status != 'missed'",
                             [campaign_id]).fetchone()
        if not row[0]:
            raise CampaignActionError(f"chiến dịch `{campaign_id}` chưa gửi lần nào")
        return row[0]

    @staticmethod
    def _status(db: Any, campaign_id: str) -> str:
        row = db.execute("SELECT status FROM campaigns WHERE id = ?", [campaign_id]).fetchone()
        if row is None:
            raise CampaignNotFound(f"không có chiến dịch `{campaign_id}`")
        return row[0]


def _local(stamp: str, tz: ZoneInfo) -> str:
    return datetime.fromisoformat(stamp).astimezone(tz).strftime("%Y-%m-%d %H:%M")
