"""Webhook acknowledgement under load, on loopback only, bounded in count and time.

Starts the real bot (`python -m bot serve`, waitress, sandbox: nothing leaves the machine) and,
as the ceiling, a bare Flask endpoint returning 200 on the same waitress setup. For each it
measures a paced run at --rate events/s (p50/p99 ack latency) and a closed-loop run (maximum
events/s). For the bot it then waits for the inbox to drain and counts events lost and
duplicate replies (10% of events are redelivered, as Zalo does).

    python bench/webhook_bench.py [--rate 200] [--seconds 10] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection, HTTPException
from pathlib import Path
from urllib.parse import urlsplit

import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.signature import sign  # noqa: E402

APP_ID, SECRET = "bench-app", "bench-secret"
WARMUP_SECONDS = 2.0
QUESTIONS = ["làm căn cước cần gì", "dang ky khai sinh o dau", "thu tuc tam tru", "cải cách hành chính là gì",
             "đổi giấy phép lái xe online", "tra cuu ho so", "xin chao", "lm cccd can j"]
BARE_APP = """
import sys, waitress
from flask import Flask
app = Flask("bare")
@app.post("/webhook")
def webhook():
    return {"ok": True}
@app.get("/healthz")
def healthz():
    return {"ok": True}
waitress.serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=8)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
            return process
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server on port {port} did not start")


def start_bot(env: dict[str, str], tmp: Path, inbox_workers: int | None, port: int) -> subprocess.Popen:
    """The shipped config, with the worker process's inbox threads set to 0 for the ack-only run
    (events are stored and acknowledged, not yet processed: the webhook's own ceiling)."""
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    if inbox_workers is not None:
        config["server"]["inbox_workers"] = inbox_workers
    path = tmp / f"config-{inbox_workers}.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = {**env, "BOT_CONFIG": str(path), "BOT_DATABASE": str(tmp / f"bot-{inbox_workers}.sqlite3")}
    return start([sys.executable, "-m", "bot", "serve", "--port", str(port)], env, port)


def make_event(i: int) -> tuple[bytes, dict[str, str]]:
    payload = {"event_name": "user_send_text", "app_id": APP_ID, "sender": {"id": f"bench-{i}"},
               "recipient": {"id": "oa"}, "message": {"text": QUESTIONS[i % len(QUESTIONS)], "msg_id": f"bm-{i}"},
               "timestamp": str(int(time.time() * 1000))}
    raw = json.dumps(payload, ensure_ascii=False).encode()
    return raw, {"Content-Type": "application/json", "X-ZEvent-Signature": sign(APP_ID, raw, payload["timestamp"], SECRET)}


class Load:
    """Posts events; every 10th event is posted twice (a redelivery)."""

    def __init__(self, url: str, first_id: int):
        self.address = urlsplit(url)
        self.next_id = first_id
        self.lock = threading.Lock()
        self.local = threading.local()
        self.latencies: list[float] = []
        self.errors = 0
        self.sent_ids: set[int] = set()

    def post_one(self) -> None:
        with self.lock:
            i = self.next_id
            self.next_id += 1
        raw, headers = make_event(i)
        for _ in range(2 if i % 10 == 0 else 1):
            started = time.perf_counter()
            ok = self._post(raw, headers)
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies.append(elapsed)
                self.errors += not ok
                if ok:
                    self.sent_ids.add(i)


    def _post(self, raw: bytes, headers: dict[str, str]) -> bool:
        """One keep-alive http.client connection per thread: a light client leaves the CPU to the server."""
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = HTTPConnection(self.address.hostname, self.address.port, timeout=5)
        try:
            connection.request("POST", self.address.path, body=raw, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status == 200
        except (OSError, HTTPException):
            connection.close()
            self.local.connection = None
            return False


def paced(load: Load, rate: float, seconds: float) -> float:
    total = int(rate * seconds)
    started = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        for n in range(total):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(load.post_one)
    return total / (time.perf_counter() - started)


def closed_loop(load: Load, concurrency: int, seconds: float) -> float:
    stop = time.monotonic() + seconds
    before = len(load.latencies)

    def run() -> None:
        while time.monotonic() < stop:
            load.post_one()

    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (len(load.latencies) - before) / (time.perf_counter() - started)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else float("nan")


def measure(name: str, url: str, args: argparse.Namespace, first_id: int) -> Load:
    load = Load(url, first_id)
    paced(load, args.rate, WARMUP_SECONDS)  # connections, thread-local database handles: not steady state
    load.latencies.clear()
    achieved = paced(load, args.rate, args.seconds)
    print(f"{name:>12}: paced {achieved:6.1f} ev/s  ack p50 {pct(load.latencies, 50):6.2f} ms  "
          f"p99 {pct(load.latencies, 99):6.2f} ms  errors {load.errors}")
    load.latencies.clear()
    throughput = closed_loop(load, args.concurrency, args.seconds)
    print(f"{name:>12}: closed loop ({args.concurrency} clients) {throughput:7.1f} ev/s  "
          f"p50 {pct(load.latencies, 50):6.2f} ms  p99 {pct(load.latencies, 99):6.2f} ms  errors {load.errors}")
    return load


def drain_and_count(db_path: Path, sent_ids: set[int], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    with sqlite3.connect(db_path) as db:
        while time.monotonic() < deadline:
            (open_,) = db.execute("SELECT count(*) FROM inbox WHERE status NOT IN ('done', 'failed', 'ignored')").fetchone()
            if not open_:
                break
            time.sleep(0.5)
        replied = {int(u.removeprefix("bench-")) for (u,) in db.execute(
            "SELECT DISTINCT user_id FROM outgoing WHERE status IN ('sent', 'sandbox')")}
        (dupes,) = db.execute("SELECT count(*) FROM (SELECT user_id, body, count(*) c FROM outgoing"
                              " GROUP BY user_id, body HAVING c > 1)").fetchone()
    print(f"{'bot':>12}: events acknowledged {len(sent_ids)}, replied {len(sent_ids & replied)}, "
          f"lost {len(sent_ids - replied)}, duplicate replies {dupes}, inbox still open {open_}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "BOT_"))}
        env.update(ZALO_APP_ID=APP_ID, ZALO_OA_SECRET_KEY=SECRET)
        bare_port, bot_port = free_port(), free_port()
        bare = start([sys.executable, "-c", BARE_APP, str(bare_port)], env, bare_port)
        try:
            measure("bare flask", f"http://127.0.0.1:{bare_port}/webhook", args, 0)
        finally:
            bare.terminate()
            bare.wait()
        for label, workers in (("bot ack-only", 0), ("bot", None)):
            bot = start_bot(env, Path(tmp), workers, bot_port)
            try:
                load = measure(label, f"http://127.0.0.1:{bot_port}/webhook", args, 1_000_000 if workers is None else 0)
                if workers is None:
                    drain_and_count(Path(tmp) / "bot-None.sqlite3", load.sent_ids)
            finally:
                bot.terminate()
                bot.wait()


if __name__ == "__main__":
    main()
