"""The long-running process: on top of bot/wiring.py (storage, Zalo client or sandbox, outbox)
builds the knowledge, core, workers and background jobs from a Config. Nothing is created at import
time; the web app, the CLI and tests each build one."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import handlers
from bot import wiring
from bot.agency import unset_settings
from bot.campaigns.scheduler import CampaignScheduler
from bot.campaigns.service import Campaigns
from bot.config import Config
from bot.conversations.retention import RetentionJob
from bot.core import Bot
from bot.inbox import Inbox
from bot.knowledge.freshness import stale_counts
from bot.knowledge.live import KnowledgeWatcher, LiveKnowledge
from bot.reports.survey import SurveyJob
from bot.worker import InboxWorkers, Processor

log = logging.getLogger(__name__)


def route_before_faq(text: str) -> str | None:
    """The route that answers `text` before the FAQ would, or None (handlers.taken_before_faq):
    `ask` shows it, so staff see why "chào ad" never reaches the knowledge base."""
    return handlers.taken_before_faq(text)


class Runtime:
    def __init__(self, config: Config, *, zalo: Any = None, sandbox: bool | None = None):
        self.config = config
        self.storage = wiring.open_storage(config)
        self.tokens = wiring.token_manager(config, self.storage)
        self.sandbox = config.secrets.sandbox if sandbox is None else sandbox
        self.zalo = zalo or wiring.zalo_client(config, self.storage, sandbox=self.sandbox, tokens=self.tokens)
        self.knowledge = LiveKnowledge(config.knowledge_dir, config.matcher, config.agency.placeholders())
        self.bot = Bot(config, self.storage, self.knowledge, handlers.dispatch)
        self.inbox = Inbox(self.storage, lease_seconds=config.server.inbox_lease_seconds)
        self.outbox = wiring.outbox(config, self.storage, self.zalo)
        self.processor = Processor(self.bot, self.storage, self.inbox, self.outbox)
        self.workers = InboxWorkers(self.processor, config.server.inbox_workers)
        self.watcher = KnowledgeWatcher(self.knowledge, config.knowledge.reload_interval_seconds)
        self.retention = RetentionJob(self.storage, config)
        self.survey = SurveyJob(self.storage, self.outbox, config) if config.reports.satisfaction_survey else None
        self.campaigns = Campaigns(config, self.storage, self.zalo)
        self.scheduler = (CampaignScheduler(self.campaigns.store, self.campaigns.runner, config.campaigns,
                                            self.campaigns.tz) if config.campaigns.run_scheduler else None)
        self._started = False

    def start(self, *, events: bool = True) -> None:
        """Start background work. The knowledge watcher always runs (it keeps /healthz true);
        `events=False` leaves event processing, campaigns and the retention purge to a worker process."""
        if self._started:
            return
        self._started = True
        self.watcher.start()
        if events:
            released = self.inbox.release_dead_claims()
            if released:
                log.warning("%d event(s) left unfinished by a stopped process will be processed now", released)
            self.workers.start()
            self.retention.start()
            if self.survey:
                self.survey.start()
            if self.scheduler:
                self.scheduler.start()  # a candidate: the database lease lets one process lead
        log.info("bot %s started (%s mode)", "runtime" if events else "web front", "sandbox" if self.sandbox else "Zalo")

    def stop(self) -> None:
        if self.scheduler:
            self.scheduler.stop()
        self.campaigns.runner.stop()
        self.watcher.stop()
        self.retention.stop()
        if self.survey:
            self.survey.stop()
        self.workers.stop()

    def health(self) -> dict[str, Any]:
        today = datetime.now(ZoneInfo(self.config.timezone)).date()
        knowledge = {**self.knowledge.status(), **stale_counts(self.knowledge.current.kb, today)}
        tokens = None if self.sandbox else self.tokens.status()
        problems = bool(knowledge["reload_errors"]) or bool(tokens and tokens["last_error"])
        return {
            "status": "degraded" if problems else "ok",
            "mode": "sandbox" if self.sandbox else "zalo",
            "webhook_configured": self.config.secrets.webhook_ready,
            "knowledge": knowledge,
            "agency_unset": unset_settings(self.config.agency),  # placeholders left out of answers: fill config.yaml
            "tokens": tokens,
            "inbox": self.inbox.counts(),
            "campaign_scheduler": self.scheduler.status() if self.scheduler else None,
        }
