"""`python -m bot scheduler`: run only the campaign scheduler, without the webhook server.

For deployments that prefer a dedicated process (set `campaigns.run_scheduler: false` for the
web workers then). Either way a database lease lets exactly one scheduler act at a time, so
running this beside `serve` is safe: the two simply take turns being the standby.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from zoneinfo import ZoneInfo

from bot.campaigns.scheduler import CampaignScheduler
from bot.campaigns.service import open_campaigns
from bot.config import load_config

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("scheduler", help="run the campaign scheduler alone", description=__doc__)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_config()
    campaigns = open_campaigns(config)
    scheduler = CampaignScheduler(campaigns.store, campaigns.runner, config.campaigns, ZoneInfo(config.timezone))
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    scheduler.start()
    log.info("campaign scheduler candidate started; Ctrl-C to stop")
    stopping.wait()
    campaigns.runner.stop()
    scheduler.stop()
    return 0
