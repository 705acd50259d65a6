"""The article broadcast channel: create the article, wait until Zalo verifies it, broadcast once.

Zalo fans the broadcast out to followers matching the demographic target, so there are no
per-recipient rows; each step's result is stored on the run before the next step, so a restart
never creates a second article or broadcasts twice. A broadcast left `sending` by a stopped
process is ambiguous, handled by the same policy as single messages.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from bot.campaigns import delivery
from bot.campaigns.sender import Halt
from bot.storage import Storage
from bot.zalo.errors import ErrorKind, ZaloError

log = logging.getLogger(__name__)

VERIFY_POLLS = 30
RETRY_LATER = timedelta(minutes=5)


class ArticleBroadcast:
    def __init__(self, storage: Storage, zalo: Any, run_id: int, *, poll_seconds: float, resend_ambiguous: bool,
                 stop: threading.Event):
        self.storage = storage
        self.zalo = zalo
        self.run_id = run_id
        self.poll_seconds = poll_seconds
        self.resend_ambiguous = resend_ambiguous
        self.stop = stop

    def run(self, now: datetime) -> Halt | None:
        row = self._row()
        message = json.loads(row["message"])
        try:
            token: str = row["article_token"]
            if not token:
                token = self.zalo.create_article(message["article"])
                self._save("article_token", token)
            article_id = row["article_id"] or self._verify(token)
            if article_id is None:
                return Halt("waiting", "article_processing", now + RETRY_LATER)
            return self._broadcast(row, article_id, message["target"])
        except ZaloError as exc:
            return self._halt_for(exc, now)

    def _verify(self, token: str) -> str | None:
        for _ in range(VERIFY_POLLS):
            try:
                return self._save("article_id", self.zalo.verify_article(token))
            except ZaloError as exc:
                if exc.kind is not ErrorKind.PENDING:
                    raise
            if self.stop.wait(self.poll_seconds):
                return None
        return None

    def _broadcast(self, row: dict[str, Any], article_id: str, target: dict[str, Any]) -> Halt | None:
        state = row["broadcast_state"]
        if state in ("sent", "ambiguous") or (state == "sending" and not self.resend_ambiguous):
            if state == "sending":
                self._save("broadcast_state", "ambiguous")
            return None
        self._save("broadcast_state", "sending")
        try:
            message_id = self.zalo.broadcast_article(article_id, target)
        except ZaloError as exc:
            if exc.kind is ErrorKind.AMBIGUOUS and not self.resend_ambiguous:
                self._save("broadcast_state", "ambiguous")
                return None
            self._save("broadcast_state", None)  # not sent (or resent by policy): try again later
            raise
        self._save("broadcast_message_id", message_id)
        self._save("broadcast_state", "sandbox" if getattr(self.zalo, "sandbox", False) else "sent")
        return None

    def _halt_for(self, exc: ZaloError, now: datetime) -> Halt:
        if exc.kind in (ErrorKind.NIGHT, ErrorKind.TRANSIENT, ErrorKind.RATE_LIMIT, ErrorKind.PENDING, ErrorKind.AMBIGUOUS):
            return Halt("waiting", exc.reason, now + RETRY_LATER)
        if exc.kind is ErrorKind.QUOTA:
            return Halt("paused", "out_of_quota")
        log.error("CAMPAIGN STOPPED: article broadcast run %d got %s", self.run_id, exc)
        return Halt("failed", f"{exc.reason}: {exc.message}"[:200])

    def _row(self) -> dict[str, Any]:
        with self.storage.connect() as db:
            run = delivery.get_run(db, self.run_id)
        assert run is not None, "an article run is delivered only while its row exists"
        return run

    def _save(self, column: str, value: str | None) -> str | None:
        with self.storage.connect() as db:
            delivery.save_broadcast(db, self.run_id, column, value)
        return value
