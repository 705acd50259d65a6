"""The satisfaction survey (off by default: `reports.satisfaction_survey`): after a feedback ticket
is closed or a handoff to staff ends, the bot asks the citizen one question, "Bạn có hài lòng…?",
with two buttons. Its answers feed the report's satisfaction section.

It is asked only while the citizen is inside Zalo's free window (a consultation message within
`reports.survey_window_hours`, default 48, of their last interaction, reference §7), so it never
costs the agency a paid message; outside it the survey is skipped, not postponed. Each ticket or
handoff is asked about once. `SurveyJob` looks for newly ended ones every minute in the worker.

Owner of `surveys`, which holds the ticket or handoff number, when it was asked and the answer:
no Zalo id (whose ticket it was stays with the ticket, which a deletion request anonymises).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from bot.clock import iso, utc_now
from bot.config import Config
from bot.conversations import citizens, handoffs, tickets
from bot.outbox import Outbox
from bot.replies import Reply, query_button
from bot.storage import Storage

log = logging.getLogger(__name__)

KINDS = {"ticket": "việc giải quyết phản ánh {code}", "handoff": "sự hỗ trợ của cán bộ vừa rồi"}
VERDICTS = {"up": "satisfied", "down": "unsatisfied"}
LOOK_BACK = timedelta(days=2)  # ended this recently: older ones are outside the free window anyway
INTERVAL_SECONDS = 60.0


def question(kind: str, ref: int, code: str = "") -> Reply:
    what = KINDS[kind].format(code=code)
    return Reply(text=f"Bạn có hài lòng với {what} không?",
                 buttons=(query_button("Hài lòng", f"#survey:{kind}:{ref}:up", show=False),
                          query_button("Chưa hài lòng", f"#survey:{kind}:{ref}:down", show=False)))


def sweep(storage: Storage, outbox: Outbox, config: Config, now: datetime) -> int:
    """Ask about every ticket closed and handoff ended since LOOK_BACK and not asked yet; returns
    how many questions were sent."""
    if not config.reports.satisfaction_survey:
        return 0
    since = iso(now - LOOK_BACK)
    handoffs.expire(storage, now, handoffs.timeout(config))
    with storage.connect() as db:
        ended = [("ticket", ref, user, code) for ref, user, code in tickets.closed_since(db, since)]
        ended += [("handoff", ref, user, "") for ref, user in handoffs.ended_since(db, since)]
        asked = {(k, r) for k, r in db.execute("SELECT kind, ref FROM surveys WHERE asked_at >= ?",
                                               [iso(now - 2 * LOOK_BACK)])}
    window = timedelta(hours=config.reports.survey_window_hours)
    sent = 0
    for kind, ref, user_id, code in ended:
        if (kind, ref) in asked or not user_id:
            continue
        profile = citizens.get(storage, user_id) or {}
        if (profile.get("do_not_contact") or not profile.get("last_interaction_at")
                or profile["last_interaction_at"] < iso(now - window)):
            _mark(storage, kind, ref, now, "skipped")  # outside the free window: never a paid message
            continue
        sent += _ask(storage, outbox, kind, ref, user_id, code, now)
    return sent


def _mark(storage: Storage, kind: str, ref: int, now: datetime, status: str) -> bool:
    with storage.connect() as db:
        return bool(db.execute("INSERT OR IGNORE INTO surveys (kind, ref, asked_at, status) VALUES (?, ?, ?, ?)",
                               [kind, ref, iso(now), status]).rowcount)


def _ask(storage: Storage, outbox: Outbox, kind: str, ref: int, user_id: str, code: str, now: datetime) -> int:
    with storage.transaction() as db:
        if not db.execute("INSERT OR IGNORE INTO surveys (kind, ref, asked_at, status) VALUES (?, ?, ?, 'asked')",
                          [kind, ref, iso(now)]).rowcount:
            return 0
        row_ids = Outbox.record(db, user_id, question(kind, ref, code).to_messages(), purpose="survey")
    return int(all(outbox.deliver(row_id) for row_id in row_ids))


def answer(storage: Storage, user_id: str, argument: str, now: datetime) -> bool:
    """`#survey:<kind>:<ref>:up|down` from the citizen who was asked; True when recorded (a later
    tap changes the answer)."""
    kind, _, rest = argument.partition(":")
    ref, _, vote = rest.partition(":")
    if kind not in KINDS or not ref.isdigit() or vote not in VERDICTS:
        return False
    with storage.connect() as db:
        owner = tickets.owner_of(db, int(ref)) if kind == "ticket" else handoffs.owner_of(db, int(ref))
        if owner != user_id:
            return False
        return bool(db.execute("UPDATE surveys SET answer = ?, answered_at = ? WHERE kind = ? AND ref = ?"
                               " AND status = 'asked'", [VERDICTS[vote], iso(now), kind, int(ref)]).rowcount)


def report_counts(db: Any, start: str, end: str) -> dict[str, dict[str, int]]:
    """Per kind: surveys asked, satisfied and unsatisfied answers, by the time of the answer (asked: of the question)."""
    result = {kind: {"asked": 0, "satisfied": 0, "unsatisfied": 0} for kind in KINDS}
    for kind, n in db.execute("SELECT kind, count(*) FROM surveys WHERE status = 'asked' AND asked_at >= ?"
                              " AND asked_at < ? GROUP BY 1", [start, end]):
        result[kind]["asked"] = n
    for kind, verdict, n in db.execute("SELECT kind, answer, count(*) FROM surveys WHERE answered_at >= ?"
                                       " AND answered_at < ? GROUP BY 1, 2", [start, end]):
        result[kind][verdict] = n
    return result


class SurveyJob(threading.Thread):
    """Runs `sweep` every minute in the worker while the survey is switched on."""

    def __init__(self, storage: Storage, outbox: Outbox, config: Config, interval: float = INTERVAL_SECONDS):
        super().__init__(name="survey", daemon=True)
        self.storage, self.outbox, self.config, self.interval = storage, outbox, config, interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                sweep(self.storage, self.outbox, self.config, utc_now())
            except Exception:  # the thread must outlive a locked database
                log.exception("satisfaction survey failed; will retry")

    def stop(self) -> None:
        self.stopping.set()
