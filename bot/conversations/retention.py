"""Retention: personal data in logs is kept only as long as it is useful (docs/privacy.md).

`purge` runs at start-up and then hourly in a small thread of the Runtime. It first rolls the
ended days up into the report's daily counts (bot/reports/rollup.py), which hold no personal data,
so periodic reports keep their figures after the rows below are gone. Then it removes:
- inbox rows (citizens' messages) after `server.inbox_retention_days`;
- bodies of sent messages, the answer log, and the question and user of ratings after
  `conversations.message_retention_days` (delivery status and verdicts stay, for statistics);
- closed handoffs after the same period; abandoned flows a day after the idle time; flood notes
  after a day;
- unanswered questions after `conversations.unanswered_retention_days`;
- closed tickets are anonymised after `conversations.ticket_retention_days`.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import inbox, outbox
from bot.clock import iso, utc_now
from bot.config import Config
from bot.conversations import flood, flow_state, handoffs, ratings, tickets
from bot.knowledge import unanswered
from bot.reports import rollup
from bot.storage import Storage

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 3600.0


def purge(storage: Storage, config: Config, now: datetime) -> dict[str, int]:
    conv = config.conversations
    inbox_cutoff = iso(now - timedelta(days=config.server.inbox_retention_days))
    cutoff = iso(now - timedelta(days=conv.message_retention_days))
    rollup.rollup(storage, ZoneInfo(config.timezone), now)  # count first: the report must survive the purge
    with storage.transaction() as db:  # each table through its owner
        counts = {
            "messages": inbox.purge(db, inbox_cutoff),
            "replies": outbox.purge(db, cutoff),
            "answers": ratings.purge_answers(db, cutoff),
            "ratings": ratings.purge_ratings(db, cutoff),
            "handoffs": handoffs.purge(db, cutoff),
            # a day late: the citizen hears of it
            "flows": flow_state.purge(db, iso(now - timedelta(minutes=conv.flow_idle_minutes, days=1))),
            "unanswered": unanswered.purge(db, iso(now - timedelta(days=conv.unanswered_retention_days))),
            "flood": flood.purge(db, int((now - timedelta(days=1)).timestamp() * 1000)),
        }
        counts["tickets"] = tickets.anonymise(
            db, "status = 'closed' AND closed_at < ?", [iso(now - timedelta(days=conv.ticket_retention_days))], now)
    return counts


class RetentionJob(threading.Thread):
    """Purges now and then every `interval` seconds until stopped."""

    def __init__(self, storage: Storage, config: Config, interval: float = INTERVAL_SECONDS):
        super().__init__(name="retention", daemon=True)
        self.storage = storage
        self.config = config
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while True:
            try:
                counts = purge(self.storage, self.config, utc_now())
                if any(counts.values()):
                    log.info("retention purge: %s", ", ".join(f"{k} {v}" for k, v in counts.items() if v))
            except Exception:  # the thread must outlive a locked database or a bad row
                log.exception("retention purge failed; will retry")
            if self.stopping.wait(self.interval):
                return

    def stop(self) -> None:
        self.stopping.set()
