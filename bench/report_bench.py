"""The yearly report on a busy OA: 1,000,000 messages received in 2026 from 200,000 followers.

Builds a SQLite file as the bot would have filled it (inbox rows with real-shaped payloads, the
answer log, ratings, unanswered questions, tickets, handoffs, two campaign runs to every follower
with Zalo receipts), then times `build_report` for 2026 (with its comparison with 2025):
  1. steady state, what a running bot sees: the year was rolled up day by day (here: by the
     retention purge at the end of the year) and its messages and answer log are purged, so the
     report reads the daily roll-up. This is the figure held to the 10-second target;
  2. upper bound: the same report on a copy where nothing was rolled up yet and every raw row of
     the year is still there, so the report first rolls the whole year up. A running bot never
     has this (the purge keeps 30 days of messages), but it bounds a first report after an upgrade.
The figures of (1) and (2) must be identical.

    python bench/report_bench.py [--messages 1000000] [--followers 200000] [--keep FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.clock import iso  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.conversations.retention import purge  # noqa: E402
from bot.knowledge.loader import read_knowledge  # noqa: E402
from bot.reports.build import build_report  # noqa: E402
from bot.reports.period import parse_period  # noqa: E402
from bot.storage import Storage  # noqa: E402

YEAR_START = datetime(2025, 12, 31, 17, tzinfo=UTC)  # 2026-01-01 00:00 in Vietnam
SECONDS = 365 * 86400
NOW = datetime(2027, 1, 10, 3, tzinfo=UTC)


def build(storage: Storage, messages: int, followers: int, entries: list[str]) -> None:
    rng = random.Random(13)
    users = [f"{7000000000000000000 + i}" for i in range(followers)]
    stamp = lambda: YEAR_START + timedelta(seconds=rng.random() * SECONDS)  # noqa: E731
    with storage.transaction() as db:
        db.conn.executemany("INSERT INTO users (user_id, followed, followed_at, first_interaction_at, last_interaction_at)"
                            " VALUES (?, 1, ?, ?, ?)", ((u, iso(stamp()), iso(stamp()), iso(stamp())) for u in users))

        def inbox_rows():
            for i in range(messages + followers):
                at = stamp()
                if i < followers:
                    name, user = "follow", users[i]
                    payload = {"event_name": "follow", "follower": {"id": user}, "timestamp": str(int(at.timestamp() * 1000))}
                else:
                    name, user = "user_send_text", users[int(rng.random() ** 2 * followers)]
                    payload = {"event_name": name, "sender": {"id": user}, "recipient": {"id": "oa"},
                               "message": {"text": "cho hỏi thủ tục làm căn cước", "msg_id": f"m{i}"},
                               "timestamp": str(int(at.timestamp() * 1000))}
                yield (f"k{i}", name, user, int(at.timestamp() * 1000), json.dumps(payload), "done", iso(at))
        db.conn.executemany("INSERT INTO inbox (dedupe_key, event_name, user_id, event_time_ms, payload, status, received_at)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)", inbox_rows())
        answered = int(messages * 0.6)
        db.conn.executemany("INSERT INTO answer_log (user_id, question, entry_id, score, created_at) VALUES (?, ?, ?, ?, ?)",
                            ((rng.choice(users), "cho hỏi thủ tục", rng.choice(entries), 0.9, iso(stamp()))
                             for _ in range(answered)))
        db.conn.executemany("INSERT INTO ratings (answer_id, user_id, entry_id, question, verdict, created_at)"
                            " VALUES (?, ?, ?, ?, ?, ?)", ((i, rng.choice(users), rng.choice(entries), "q",
                                                           "helpful" if rng.random() < 0.8 else "wrong", iso(stamp()))
                                                          for i in range(1, answered // 10)))
        db.conn.executemany("INSERT INTO unanswered (asked_at, question, normalized, asker, tier, best_entry_id, candidates,"
                            " reason) VALUES (?, ?, ?, '', ?, ?, '[]', ?)",
                            ((iso(stamp()), f"câu hỏi lạ {n}", f"cau hoi la {n}", tier, rng.choice(entries), tier)
                             for n, tier in ((int(rng.paretovariate(1.0)) % 5000, rng.choice(("fallback", "suggest")))
                                             for _ in range(int(messages * 0.3)))))
        for i in range(3000):
            opened = stamp()
            db.execute("INSERT INTO tickets (code, year, seq, user_id, topic, content, status, created_at, updated_at,"
                       " closed_at) VALUES (?, 2026, ?, ?, 'Đất đai', 'nội dung', 'closed', ?, ?, ?)",
                       [f"PA-2026-{i:06d}", i, rng.choice(users), iso(opened), iso(opened),
                        iso(opened + timedelta(days=rng.random() * 20))])
        db.conn.executemany("INSERT INTO handoffs (user_id, status, opened_at, last_activity_at, closed_at, first_staff_at)"
                            " VALUES (?, 'closed', ?, ?, ?, ?)",
                            ((rng.choice(users), iso(o), iso(o), iso(o + timedelta(hours=2)),
                              iso(o + timedelta(minutes=rng.random() * 240))) for o in (stamp() for _ in range(20000))))
        db.execute("INSERT INTO campaigns (id, title, channel, spec, status, created_at, updated_at)"
                   " VALUES ('thang', 'Tin hằng tháng', 'consultation', '{}', 'done', ?, ?)", [iso(NOW), iso(NOW)])
        for run in (1, 2):
            at = YEAR_START + timedelta(days=100 * run)
            db.execute("INSERT INTO campaign_runs (id, campaign_id, scheduled_for, trigger, status, message, created_at)"
                       " VALUES (?, 'thang', ?, 'schedule', 'done', '{}', ?)", [run, iso(at), iso(at)])
            db.conn.executemany("INSERT INTO campaign_deliveries (run_id, user_id, status, message_id, updated_at)"
                                " VALUES (?, ?, 'sent', ?, ?)", ((run, u, f"c{run}-{u}", iso(at)) for u in users))
            db.conn.executemany("INSERT INTO message_events (message_id, kind, at) VALUES (?, ?, ?)",
                                ((f"c{run}-{u}", kind, iso(at)) for u in users
                                 for kind, share in (("received", 0.7), ("seen", 0.5)) if rng.random() < share))


def timed(storage: Storage, config, kb) -> tuple[float, dict]:
    started = time.perf_counter()
    report = build_report(storage, config, parse_period("2026"), kb=kb, now=NOW)
    return time.perf_counter() - started, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--followers", type=int, default=200_000)
    parser.add_argument("--keep", help="write the database here instead of a temporary directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep or Path(tmp) / "report-bench.sqlite3")
        config = dataclasses.replace(load_config(ROOT / "config.yaml", env={}), database=str(path),
                                     knowledge_dir=str(ROOT / "knowledge"))
        kb = read_knowledge(config.knowledge_dir).kb
        storage = Storage(path)
        storage.migrate()
        started = time.perf_counter()
        build(storage, args.messages, args.followers, [e.id for e in kb.entries])
        print(f"built {args.messages:,} messages, {args.followers:,} followers in {time.perf_counter() - started:.1f} s"
              f" ({path.stat().st_size / 1e6:.0f} MB)")
        raw = path.with_name("raw-copy.sqlite3")
        with storage.connect() as db:
            db.execute("VACUUM INTO ?", [str(raw)])
        started = time.perf_counter()
        counts = purge(storage, config, NOW)
        print(f"retention purge at the end of the year, rolling the year up first: {time.perf_counter() - started:.1f} s"
              f" ({counts['messages']:,} messages, {counts['answers']:,} answers deleted)")
        steady, report = timed(storage, config, kb)
        print(f"1. report 2026 (with the 2025 comparison) from the daily roll-up, messages purged: {steady:.2f} s")
        first, again = timed(Storage(raw), config, kb)
        print(f"2. the same with nothing rolled up, every raw row present (upper bound): {first:.2f} s")
        same = all(again[k] == report[k] for k in ("citizens", "followers", "questions", "ratings", "tickets",
                                                    "handoffs", "campaigns"))
        print(f"figures identical with and without the purge: {same}")
        print(f"citizens {report['citizens']}, questions received {report['questions']['received']:,},"
              f" campaign {[{k: c[k] for k in ('recipients', 'delivered', 'received', 'seen')} for c in report['campaigns']]}")
        return 0 if same and steady < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
