"""`python -m bot worker`: event processing, campaigns and the retention purge, without HTTP.

`serve` starts one as a child process when `server.worker_process` is true; with another WSGI
server (gunicorn …) run it beside the web processes. Several workers may run: inbox claims are
transactional and the campaign scheduler takes a database lease.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading

from bot.config import load_config
from bot.runtime import Runtime

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("worker", help="process events and campaigns (no web server)", description=__doc__)
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone (used by serve)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    runtime = Runtime(load_config())
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    runtime.start(events=True)
    log.info("worker running (pid %d)", os.getpid())
    while not stopping.wait(1.0):
        if args.parent_pid and os.getppid() != args.parent_pid:
            log.warning("the serving process is gone; worker stopping")
            break
    runtime.stop()
    return 0
