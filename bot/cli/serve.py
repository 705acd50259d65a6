"""`python -m bot serve`: the webhook server on waitress, a production WSGI server."""

from __future__ import annotations

import argparse
import logging

from bot.config import load_config

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run the webhook server", description=__doc__)
    parser.add_argument("--host", help="interface to listen on (default: server.host in config)")
    parser.add_argument("--port", type=int, help="port to listen on (default: server.port in config)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import waitress

    from app import create_app

    config = load_config()
    app = create_app(config)
    host = args.host or config.server.host
    port = args.port or config.server.port
    runtime = app.extensions["runtime"]
    log.info("listening on http://%s:%d (webhook: POST /webhook, health: GET /healthz)", host, port)
    if runtime.sandbox:
        log.info("sandbox mode: no Zalo credentials set, replies are recorded in the database outbox only")
    try:
        waitress.serve(app, host=host, port=port, threads=config.server.threads, ident="cchc-bot")
    finally:
        runtime.stop()
    return 0
