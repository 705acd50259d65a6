"""The dashboard: today and the last 30 days at a glance, for every role. Counts come from the
tables' owner modules; the charts are plain CSS bars drawn by the template."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template

from bot import inbox
from bot.clock import iso, utc_now
from bot.conversations import citizens, handoffs, ratings, tickets
from bot.knowledge import unanswered
from console import auth

blueprint = Blueprint("dashboard", __name__)
blueprint.before_request(auth.require("dashboard"))
DAYS = 30


@blueprint.get("/")
def index():
    runtime = current_app.extensions["runtime"]
    storage = runtime.storage
    tz = ZoneInfo(runtime.config.timezone)
    now = utc_now().astimezone(tz)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    since = today - timedelta(days=DAYS - 1)
    offset = int((now.utcoffset() or timedelta()).total_seconds() // 60)  # `now` is aware: never the fallback
    asked = inbox.questions_per_day(storage, iso(since), offset)
    answered = ratings.answered_per_day(storage, iso(since), offset)
    days = [(since + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(DAYS)]
    peak = max([asked.get(d, 0) for d in days] + [1])
    chart = [{"day": d, "asked": asked.get(d, 0), "answered": answered.get(d, 0),
              "height": 100 * asked.get(d, 0) / peak, "answered_height": 100 * min(answered.get(d, 0), asked.get(d, 0)) / peak}
             for d in days]
    periods = {"today": _period(storage, today, answered, days[-1:]),
               "month": _period(storage, since, answered, days)}
    statuses = tickets.count_by_status(storage)
    upcoming = [c for c in runtime.campaigns.list() if c["next_run"]]
    upcoming.sort(key=lambda c: c["next_run"])
    return render_template("console/dashboard.html", periods=periods, chart=chart, now=now,
                           open_tickets=statuses.get("open", 0) + statuses.get("answered", 0),
                           waiting_tickets=statuses.get("open", 0), open_handoffs=handoffs.count_open(storage),
                           followers=citizens.count_followers(storage), upcoming=upcoming[:5])


def _period(storage: Any, start: datetime, answered: dict[str, int], days: list[str]) -> dict[str, int]:
    """Questions as the periodic report counts them: answered + suggested + fallback (a button tap,
    a "cảm ơn" or a rating typed as text is a message, not a question)."""
    logged = unanswered.counts_since(storage, iso(start))
    verdicts = ratings.rating_counts(storage, iso(start))
    figures = {"answered": sum(answered.get(d, 0) for d in days),
               "suggested": logged.get("suggest", 0), "fallback": logged.get("fallback", 0),
               "helpful": verdicts.get("helpful", 0), "wrong": verdicts.get("wrong", 0)}
    return {"asked": figures["answered"] + figures["suggested"] + figures["fallback"], **figures}
