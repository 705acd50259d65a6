"""`python -m bot serve`: the webhook server on waitress, a production WSGI server.

With `server.worker_process: true` (the shipped config.yaml) it also starts `python -m bot worker`
as a child process, restarted if it dies, so acknowledging Zalo never waits on answering citizens.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import subprocess
import sys
import threading

from bot.config import load_config

log = logging.getLogger(__name__)

WORKER_NICENESS = 15


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run the webhook server", description=__doc__)
    parser.add_argument("--host", help="interface to listen on (default: server.host in config)")
    parser.add_argument("--port", type=int, help="port to listen on (default: $BOT_PORT, else server.port in config)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from waitress.server import create_server

    config = load_config()
    app = args.app_factory(config)  # app.create_app, handed in by the entry point (bot/__main__.py)
    host = args.host or config.server.host
    port = args.port or config.server.port
    runtime = app.extensions["runtime"]
    try:  # bind before starting the worker, so a taken port stops everything cleanly
        server = create_server(app, host=host, port=port, threads=config.server.threads, ident="cchc-bot")
    except OSError as exc:
        runtime.stop()
        print(cannot_listen(host, port, exc), file=sys.stderr)
        return 2
    worker = WorkerProcess() if config.server.worker_process else None
    log.info("listening on http://%s:%d (webhook: POST /webhook, health: GET /healthz)", host, port)
    if runtime.sandbox:
        log.info("sandbox mode: no Zalo credentials set, replies are recorded in the database outbox only")
    try:
        server.run()
    finally:
        if worker:
            worker.stop()
        runtime.stop()
    return 0


def cannot_listen(host: str, port: int, exc: OSError) -> str:
    """Why the server cannot start, and how to pick another port, for whoever typed `make run`."""
    reason = {errno.EADDRINUSE: "the port is already in use (another `make run`, or another program)",
              errno.EACCES: "permission denied (ports below 1024 need administrator rights)",
              errno.EADDRNOTAVAIL: "this machine has no such address"}.get(exc.errno or 0, exc.strerror or str(exc))
    return (f"cannot listen on {host}:{port}: {reason}.\n"
            f"Choose another port: make run PORT=8090, or BOT_PORT=8090, or python -m bot serve --port 8090 "
            f"(server.port in config.yaml sets the default).")


class WorkerProcess:
    """The `python -m bot worker` child: started now, restarted when it exits unexpectedly."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.process = self._spawn()
        threading.Thread(target=self._watch, name="worker-watch", daemon=True).start()

    def _spawn(self) -> subprocess.Popen:
        command = [sys.executable, "-m", "bot", "worker", "--parent-pid", str(os.getpid())]
        process = subprocess.Popen(command, cwd=os.getcwd())
        # A lower CPU priority: when the machine is busy, acknowledging Zalo within its 2 s comes first.
        os.setpriority(os.PRIO_PROCESS, process.pid, WORKER_NICENESS)
        return process

    def _watch(self) -> None:
        while not self.stopping.is_set():
            code = self.process.wait()
            if self.stopping.wait(1.0):
                return
            log.error("worker process exited with %s; starting a new one", code)
            self.process = self._spawn()

    def stop(self) -> None:
        self.stopping.set()
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
