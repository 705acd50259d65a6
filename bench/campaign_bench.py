"""One consultation campaign to 100,000 recipients against the fake Zalo on loopback, bounded.

The fake server runs in a child process (its own core, its own GIL), so the figures for the
sender are the sender's. In one run it measures:
  1. the fake's own ceiling: plain `requests.Session` loops posting /cs bodies (same thread count);
  2. the real sender (Runner → Sender → ZaloClient, SQLite delivery rows) to --recipients citizens,
     rate limit lifted: messages/s, CPU and memory of the sending process, exactly-once check;
  3. the configured default rate held over a short window (fake-side arrival times), and 50/s.

    python bench/campaign_bench.py [--recipients 100000] [--concurrency 8] [--window 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.campaigns.service import Campaigns  # noqa: E402
from bot.clock import iso, utc_now  # noqa: E402
from bot.config import CampaignSettings, Config, Secrets, ZaloSettings  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.zalo import ZaloClient  # noqa: E402
from bot.zalo.tokens import TokenManager  # noqa: E402
from tests.fakezalo import FakeZalo  # noqa: E402

CS = "/v3.0/oa/message/cs"
TEXT = "Thông báo của {agency}: từ tháng này, nhiều thủ tục được nộp trực tuyến toàn trình. Gọi {hotline}."


def fake_server(pipe: Any) -> None:
    """Child process: serve, answer stats, stop on request."""
    with FakeZalo() as fake:
        pipe.send((fake.base_url, fake.access_token))
        while (command := pipe.recv()) != "stop":
            if command == "reset":
                fake.reset_records()
                pipe.send(None)
            else:
                sent = fake.sent()
                usage = resource.getrusage(resource.RUSAGE_SELF)
                pipe.send({"sent": len(sent), "unique": len({s.user_id for s in sent}),
                           "times": [s.time for s in sent] if command == "times" else [],
                           "cpu": usage.ru_utime + usage.ru_stime})


class Fake:
    def __init__(self) -> None:
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("fork").Process(target=fake_server, args=(child,), daemon=True)
        self.process.start()
        self.base_url, self.token = self.pipe.recv()

    def ask(self, command: str) -> Any:
        self.pipe.send(command)
        return self.pipe.recv()

    def close(self) -> None:
        self.pipe.send("stop")
        self.process.join(5)


def ceiling(fake: Fake, threads: int, seconds: float) -> float:
    """Requests/s the fake answers to bare Session loops, the sender's upper bound."""
    stop = time.monotonic() + seconds
    counts = [0] * threads

    def loop(i: int) -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            body = {"recipient": {"user_id": f"ceiling-{i}-{counts[i]}"}, "message": {"text": "x"}}
            session.post(fake.base_url + CS, json=body, headers={"access_token": fake.token}, timeout=5).json()
            counts[i] += 1

    started = time.monotonic()
    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.monotonic() - started)


def campaigns_for(fake: Fake, workdir: Path, **settings: Any) -> Campaigns:
    config = Config(database=str(workdir / "bench.sqlite3"),
                    zalo=ZaloSettings(api_base=fake.base_url, oauth_base=fake.base_url, timeout_seconds=10),
                    campaigns=dataclasses.replace(CampaignSettings(), quiet_hours="", **settings),
                    secrets=Secrets(app_id="1234567890", app_secret="app-secret", access_token=fake.token))
    storage = Storage(config.database)
    storage.migrate()
    tokens = TokenManager(storage, config.secrets, config.zalo)
    tokens.seed_from_environment()
    return Campaigns(config, storage, ZaloClient(config.zalo, tokens))


def seed(campaigns: Campaigns, campaign_id: str, count: int) -> None:
    now = iso(utc_now())
    with campaigns.storage.transaction() as db:
        db.conn.executemany("INSERT OR IGNORE INTO users (user_id, followed, last_interaction_at) VALUES (?, 1, ?)",
                            [(f"{campaign_id}-{i:06d}", now) for i in range(count)])
        db.conn.executemany("INSERT OR IGNORE INTO user_tags VALUES (?, ?)",
                            [(f"{campaign_id}-{i:06d}", campaign_id) for i in range(count)])
    campaigns.add_text(f"id: {campaign_id}\ntitle: Bench\naudience: {{tag: {campaign_id}}}\nmessage: {{text: '{TEXT}'}}\n")


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def throughput(fake: Fake, workdir: Path, recipients: int, concurrency: int) -> None:
    campaigns = campaigns_for(fake, workdir, rate_per_second=0, concurrency=concurrency)
    seed(campaigns, "bulk", recipients)
    fake.ask("reset")
    started, cpu_start, fake_cpu = time.monotonic(), cpu(), fake.ask("stats")["cpu"]
    run_id = campaigns.send_now("bulk").run_id
    materialized = time.monotonic() - started
    status = campaigns.runner.deliver(run_id)
    wall, used = time.monotonic() - started, cpu() - cpu_start
    stats = fake.ask("stats")
    counts = campaigns.run_status(run_id)[2]
    rss, peak = rss_mb()
    print(f"sender, rate limit lifted, {concurrency} threads: {recipients} recipients in {wall:.1f} s "
          f"= {recipients / wall:,.0f} messages/s (run {status}; rows written in {materialized:.1f} s)")
    print(f"  sender CPU {used:.1f} s = {100 * used / wall:.0f}% of one core; RSS {rss:.0f} MB, peak {peak:.0f} MB")
    print(f"  fake server CPU during the run {stats['cpu'] - fake_cpu:.1f} s")
    print(f"  exactly once: fake accepted {stats['sent']}, distinct citizens {stats['unique']}, rows {counts}")


def rate_window(fake: Fake, workdir: Path, rate: float, seconds: float) -> None:
    campaigns = campaigns_for(fake, workdir, rate_per_second=rate)
    campaign_id = f"rate{int(rate)}"
    seed(campaigns, campaign_id, int(rate * seconds))
    fake.ask("reset")
    campaigns.runner.deliver(campaigns.send_now(campaign_id).run_id)
    times = sorted(fake.ask("times")["times"])
    achieved = (len(times) - 1) / (times[-1] - times[0])
    worst = max(len([t for t in times if start <= t < start + 1]) for start in times if start <= times[-1] - 1)
    print(f"rate {rate:g}/s over {times[-1] - times[0]:.1f} s: held {achieved:.2f}/s ({100 * (achieved / rate - 1):+.1f}%), "
          f"busiest 1-s window {worst} messages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--window", type=float, default=10.0, help="seconds of the default-rate check")
    args = parser.parse_args()
    fake = Fake()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for threads in (args.concurrency, 2 * args.concurrency):
                print(f"fake server ceiling, {threads} plain requests.Session loops: "
                      f"{ceiling(fake, threads, 5.0):,.0f} requests/s")
            throughput(fake, Path(tmp), args.recipients, args.concurrency)
            default = CampaignSettings().rate_per_second
            rate_window(fake, Path(tmp), default, args.window)
            rate_window(fake, Path(tmp), 50, args.window / 2)
    finally:
        fake.close()


if __name__ == "__main__":
    main()
