"""Runs: one delivery of a campaign, created when the schedule fires (or on send-now).

Creating a run is one transaction: the run row (unique per campaign and fire time, so two
schedulers firing the same moment make one run), the message rendered once for everybody, and a
delivery row per audience member. The misfire policy lives in `catch_up`: of the fire times that
passed since the last one handled, the latest runs (late) if it is within the grace period; every
other one is recorded as a `missed` run with its reason, so officers see what did not happen.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from bot.campaigns import delivery, labels
from bot.campaigns.content import render, zalo_message
from bot.campaigns.model import Campaign
from bot.campaigns.schedule import due_times, make_trigger
from bot.campaigns.store import CampaignStore, record, refresh_status, row_of, set_next_due, set_status
from bot.clock import iso

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=1)  # a run starting later than this after its time is labelled `late`


def run_message(campaign: Campaign, placeholders: dict[str, str]) -> dict[str, Any]:
    """What the run sends, fixed when the run is created: editing the campaign later changes
    future runs only, so everybody in one run gets the same message."""
    content = campaign.content
    if campaign.channel == "article":
        assert content.article is not None
        return {"article": content.article.to_zalo(), "target": content.target}
    if campaign.channel == "template":
        return {"template_id": content.template_id,
                "template_data": {k: render(v, placeholders) if isinstance(v, str) else v
                                  for k, v in content.template_data.items()}}
    return zalo_message(content, placeholders)


def create_run(db: Any, campaign: Campaign, scheduled_for: datetime, trigger: str, now: datetime,
               placeholders: dict[str, str]) -> int | None:
    """Inside the caller's transaction; None when this fire time already has a run."""
    message = json.dumps(run_message(campaign, placeholders), ensure_ascii=False)
    run_id = delivery.add_run(db, campaign.id, scheduled_for, trigger, message, now)
    if run_id is None:
        return None
    count = 0
    if campaign.channel != "article":
        count = delivery.materialize(db, run_id, campaign.audience, campaign.channel, now)
    record(db, campaign.id, "run_created", f"lượt {run_id} ({labels.status(trigger)}), {count} người trong đối tượng",
           at=now)
    refresh_status(db, campaign.id, now)
    return run_id


def catch_up(store: CampaignStore, campaign_id: str, now: datetime, placeholders: dict[str, str]) -> int | None:
    """Handle every fire time of this campaign up to `now`; returns the run to deliver, if any."""
    with store.storage.transaction() as db:
        row = row_of(db, campaign_id)
        if row is None or not row["enabled"] or row["next_due_at"] is None or row["status"] == "cancelled":
            return None
        next_due = datetime.fromisoformat(row["next_due_at"])
        if next_due > now:
            return None
        campaign = store.campaign({"id": campaign_id, "spec": row["spec"], "source": row["source"]})
        times, unlisted, following = due_times(make_trigger(campaign.schedule, store.ctx.tz), next_due, now)
        *older, latest = times
        for moment in older:
            delivery.add_missed(db, campaign_id, moment, "superseded_by_later_run", now)
        if unlisted:
            record(db, campaign_id, "missed", f"{unlisted} lần gửi trước {older[0] if older else latest:%d/%m/%Y %H:%M}"
                                              " bị bỏ lỡ khi dịch vụ ngừng", at=now)
        run_id = _decide_latest(db, store, campaign, latest, row["status"], now, placeholders)
        set_next_due(db, campaign_id, following, now=now)
        refresh_status(db, campaign_id, now)
    return run_id


def _decide_latest(db: Any, store: CampaignStore, campaign: Campaign, latest: datetime, status: str,
                   now: datetime, placeholders: dict[str, str]) -> int | None:
    active = delivery.active_run(db, campaign.id) is not None
    reason = ("campaign_paused" if status == "paused" else "campaign_failed" if status == "failed"
              else "previous_run_unfinished" if active else "beyond_grace" if now - latest > store.grace else None)
    if reason:
        delivery.add_missed(db, campaign.id, latest, reason, now)
        record(db, campaign.id, "missed", f"{latest.astimezone(store.ctx.tz):%d/%m/%Y %H:%M}: {labels.reason(reason)}",
               at=now)
        log.warning("campaign %s: run due %s missed (%s)", campaign.id, iso(latest), reason)
        return None
    trigger = "late" if now - latest > LATE_AFTER else "schedule"
    return create_run(db, campaign, latest, trigger, now, placeholders)


def finish_run(store: CampaignStore, run_id: int, status: str, reason: str | None, resume_at: datetime | None,
               now: datetime) -> None:
    """Record how a delivery attempt ended and what it means for the campaign."""
    with store.storage.transaction() as db:
        campaign_id = delivery.finish_run(db, run_id, status, reason, resume_at, now)
        if status in ("failed", "paused") and reason != "officer":
            set_status(db, campaign_id, status, now)
        when = f", tiếp tục lúc {resume_at.astimezone(store.ctx.tz):%H:%M %d/%m}" if resume_at else ""
        record(db, campaign_id, f"run_{status}", f"lượt {run_id}: {labels.reason(reason) or 'xong'}{when}", at=now)
        refresh_status(db, campaign_id, now)

