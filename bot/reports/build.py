"""The periodic report: what the OA achieved in a month, quarter, year or range of days.

Every figure is an exact count computed in SQL by the table's owner (bot/reports/rollup.py for
what the purge would delete, bot/conversations/tickets.py, bot/campaigns/report.py, bot/outbox.py for what
stays). The JSON keys are stable and documented in docs/reports.md; labels are Vietnamese.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from bot import outbox
from bot.campaigns import report as campaign_report
from bot.config import Config
from bot.conversations import tickets
from bot.kb_model import KnowledgeBase
from bot.knowledge.loader import read_knowledge
from bot.knowledge.unanswered import UNANSWERED_KEY_SEPARATOR
from bot.reports import rollup, survey
from bot.reports.period import Period, local_today
from bot.storage import Storage

UNKNOWN_TOPIC = "Khác / chưa xác định"
TOP_UNANSWERED = 20
COMPARED = ("citizens.distinct", "followers.new", "followers.unfollowed", "questions.received",
            "questions.answered", "questions.suggested", "questions.fallback", "ratings.useful", "ratings.not_useful",
            "tickets.received", "tickets.resolved", "tickets.resolved_on_time", "handoffs.count")


def build_report(storage: Storage, config: Config, period: Period, *, kb: KnowledgeBase | None = None,
                 now: datetime | None = None, compare: bool = True) -> dict[str, Any]:
    """The report as a JSON-ready dict. Rolls up ended days first, so a closed period's figures
    are frozen from then on and survive the retention purge."""
    tz = ZoneInfo(config.timezone)
    now = now or datetime.now(UTC)
    rollup.rollup(storage, tz, now)
    kb = kb if kb is not None else _knowledge(config)
    topic_of = {entry.id: entry.topic for entry in kb.entries}
    totals, people = rollup.counts(storage, tz, period.start, period.end)
    start, end = period.bounds(tz)
    with storage.connect() as db:
        ticket_stats = tickets.report_stats(db, start, end, config.reports.ticket_deadline_days)
        runs = campaign_report.period_runs(db, start, end)
        answers = outbox.report_counts(db, start, end)
        surveyed = survey.report_counts(db, start, end)
    report: dict[str, Any] = {
        "period": {"label": period.label, "kind": period.kind, "from": period.start.isoformat(),
                   "to": period.last_day.isoformat(), "timezone": config.timezone,
                   "closed": period.closed(local_today(tz, now)),
                   "generated_at": now.astimezone(tz).isoformat(timespec="seconds")},
        "citizens": {"distinct": people, "messages": _sum(totals, "messages.received")},
        "followers": {"new": _sum(totals, "followers.new"), "unfollowed": _sum(totals, "followers.unfollowed"),
                      "net": _sum(totals, "followers.new") - _sum(totals, "followers.unfollowed")},
        "questions": _questions(totals, topic_of, kb),
        "ratings": {**_ratings(totals, topic_of, kb), "survey": surveyed},
        "tickets": _tickets(ticket_stats, config.reports.ticket_deadline_days),
        "handoffs": _handoffs(totals),
        "answers": answers,
        "campaigns": _campaigns(runs),
    }
    if compare:
        previous = build_report(storage, config, period.previous(), kb=kb, now=now, compare=False)
        report["comparison"] = {"previous_period": previous["period"]["label"],
                                "figures": {key: _change(_get(report, key), _get(previous, key)) for key in COMPARED}}
    return report


def _knowledge(config: Config) -> KnowledgeBase:
    """Topic names from the knowledge base; a broken file only loses the names of its topic."""
    try:
        return read_knowledge(config.knowledge_dir).kb
    except OSError:
        return KnowledgeBase(entries=())


def _sum(totals: Counter[tuple[str, str]], metric: str) -> int:
    return sum(n for (m, _), n in totals.items() if m == metric)


def _topic_name(topic: str, kb: KnowledgeBase) -> str:
    return kb.topics.get(topic, topic) if topic else UNKNOWN_TOPIC


def _questions(totals: Counter[tuple[str, str]], topic_of: dict[str, str], kb: KnowledgeBase) -> dict[str, Any]:
    by_topic: dict[str, Counter[str]] = {}
    for (metric, key), n in totals.items():
        if metric in ("questions.answered", "questions.suggested", "questions.fallback"):
            by_topic.setdefault(topic_of.get(key, ""), Counter())[metric.split(".")[1]] += n
    unanswered: dict[str, list[Any]] = {}
    for (metric, key), n in totals.items():
        if metric == "unanswered.question":
            normalized, _, wording = key.partition(UNANSWERED_KEY_SEPARATOR)
            item = unanswered.setdefault(normalized, [wording, 0])
            item[1] += n
    answered, suggested, fallback = (_sum(totals, f"questions.{k}") for k in ("answered", "suggested", "fallback"))
    return {
        "received": answered + suggested + fallback, "answered": answered, "suggested": suggested, "fallback": fallback,
        "chosen": _sum(totals, "questions.chosen"),  # answers to an entry the citizen tapped: not new questions
        "by_topic": sorted(({"topic": topic, "name": _topic_name(topic, kb), "received": sum(c.values()),
                             **{k: c[k] for k in ("answered", "suggested", "fallback")}}
                            for topic, c in by_topic.items()), key=lambda t: (-t["received"], t["name"])),
        "top_unanswered": [{"question": wording, "count": count} for wording, count in
                           sorted(unanswered.values(), key=lambda item: (-item[1], item[0]))[:TOP_UNANSWERED]],
    }


def _ratings(totals: Counter[tuple[str, str]], topic_of: dict[str, str], kb: KnowledgeBase) -> dict[str, Any]:
    by_topic: dict[str, Counter[str]] = {}
    for (metric, key), n in totals.items():
        if metric in ("ratings.useful", "ratings.not_useful"):
            by_topic.setdefault(topic_of.get(key, ""), Counter())[metric.split(".")[1]] += n
    useful, not_useful = _sum(totals, "ratings.useful"), _sum(totals, "ratings.not_useful")
    return {"useful": useful, "not_useful": not_useful, "useful_share": _share(useful, useful + not_useful),
            "by_topic": sorted(({"topic": topic, "name": _topic_name(topic, kb), "useful": c["useful"],
                                 "not_useful": c["not_useful"],
                                 "useful_share": _share(c["useful"], c["useful"] + c["not_useful"])}
                                for topic, c in by_topic.items()), key=lambda t: t["name"])}


def _tickets(stats: dict[str, Any], deadline_days: float) -> dict[str, Any]:
    hours = stats["hours_to_resolve"]
    return {"received": stats["received"], "resolved": stats["resolved"], "resolved_on_time": stats["resolved_on_time"],
            "deadline_days": deadline_days, "median_hours_to_resolve": round(median(hours), 2) if hours else None,
            "still_open": stats["still_open"],
            "by_topic": [{"topic": topic, "received": n} for topic, n in stats["by_topic"]]}


def _handoffs(totals: Counter[tuple[str, str]]) -> dict[str, Any]:
    waits = [int(key) for (metric, key), n in totals.items() if metric == "handoffs.wait_minutes" for _ in range(n)]
    return {"count": _sum(totals, "handoffs.opened"), "answered_by_staff": len(waits),
            "median_wait_minutes": median(sorted(waits)) if waits else None}


def _campaigns(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per campaign with runs in the period, its runs listed inside."""
    found: dict[str, dict[str, Any]] = {}
    for run in runs:
        campaign = found.setdefault(run["campaign_id"], {"id": run["campaign_id"], "title": run["title"],
                                                         "channel": run["channel"], "runs": []})
        campaign["runs"].append({k: run[k] for k in ("run_id", "scheduled_for", "status", "recipients", "delivered",
                                                     "received", "seen", "replied", "clicked")})
    for campaign in found.values():
        campaign.update(campaign_report.summary_totals(campaign["runs"]))
        campaign["note"] = campaign_report.NO_SIGNAL if campaign["channel"] == "article" else ""
    return list(found.values())


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _get(report: dict[str, Any], dotted: str) -> Any:
    value: Any = report
    for part in dotted.split("."):
        value = value[part]
    return value


def _change(current: int, previous: int) -> dict[str, Any]:
    return {"current": current, "previous": previous, "change": current - previous,
            "change_share": round((current - previous) / previous, 4) if previous else None}
