"""Handler test kit: an event goes through the real inbox, core, dispatch table and outbox in this
thread, and the test gets the `Reply` objects the handlers returned.

    kit = Kit(tmp_path, knowledge_dir=write_kb(tmp_path / "kb"))
    citizen = kit.citizen("u1")
    assert citizen.say("menu") == [Reply(text="Xin chào! …", buttons=(…))]
    assert shown(citizen.tap("Cư trú")) == [("Cư trú: câu hỏi thường gặp. …", ["Đăng ký tạm trú …", …])]
    kit.advance(hours=25)          # the clock handlers see (Context.now) and the events' timestamps

What is real: the config (harness.make_config), a SQLite file migrated by bot.storage, the
knowledge base indexed by bot.knowledge, the inbox row (flood limits count it), Processor.process
(replies recorded in the outbox in the same transaction that marks the event), the outbox
delivery (to the sandbox client, so rows end `sandbox` instead of `sent`). What is left out: HTTP,
the webhook's signature and age checks, worker threads and polling, the fake Zalo server: the
`*_end_to_end` tests of tests/test_conv_*.py and tests/test_webhook.py cover those (tests/harness.py).
"""

from __future__ import annotations

import atexit
import json
import shutil
import sqlite3
import tempfile
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import handlers
from bot.clock import utc_now
from bot.core import Bot
from bot.events import Event, parse_event
from bot.inbox import Inbox
from bot.knowledge.live import LiveKnowledge
from bot.outbox import Outbox
from bot.replies import Reply
from bot.storage import Storage
from bot.worker import Processor
from bot.zalo import SandboxZalo
from tests.harness import APP_ID, echo_event, follow_event, make_config, media_event, text_event

Shown = tuple[str, list[str]]


def shown(replies: list[Reply]) -> list[Shown]:
    """Each reply as (text, button titles): what the citizen reads, for short assertions."""
    return [(r.text, [b.title for b in r.buttons]) for r in replies]


_migrated: Path | None = None


def _start_from_migrated(database: Path) -> None:
    """A new database starts as a copy of one migrated once per test session: migrating costs
    about 30 ms, most of a kit's set-up. `Storage.migrate()` still runs on the copy (it finds
    every migration applied); the migrations themselves run for the template and in every
    end-to-end test."""
    global _migrated
    if database.exists():
        return  # a second kit on the same file: a restart
    if _migrated is None:
        directory = Path(tempfile.mkdtemp(prefix="dispatchkit-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        template = directory / "migrated.sqlite3"
        Storage(template).migrate()
        with closing(sqlite3.connect(template)) as db:  # everything into the main file, so copying it is enough
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _migrated = template
    database.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_migrated, database)


class _RecordingBot(Bot):
    """The real core; keeps what the dispatch returned for the event being processed."""

    replies: list[Reply] | None = None
    error: BaseException | None = None

    def handle(self, event: Event) -> list[Reply]:
        try:
            self.replies = super().handle(event)
        except BaseException as exc:  # the processor logs and swallows it; the kit raises it in the test
            self.error = exc
            raise
        return self.replies


class Kit:
    """One bot on a temp database; `send` runs one event through it and returns its replies."""

    def __init__(self, tmp_path: Path, *, knowledge_dir: str | Path | None = None, **config_overrides: Any):
        self.config = make_config(tmp_path, None, knowledge_dir=knowledge_dir, **config_overrides)
        _start_from_migrated(Path(self.config.database))
        self.storage = Storage(self.config.database)
        self.storage.migrate()
        self.knowledge = LiveKnowledge(self.config.knowledge_dir, self.config.matcher,
                                       self.config.agency.placeholders())
        self.offset = timedelta()
        self.bot = _RecordingBot(self.config, self.storage, self.knowledge, handlers.dispatch, clock=lambda: self.now)
        self.inbox = Inbox(self.storage, lease_seconds=self.config.server.inbox_lease_seconds)
        self.outbox = Outbox(self.storage, SandboxZalo(), self.config.secrets.log_key)
        self.processor = Processor(self.bot, self.storage, self.inbox, self.outbox)

    # The clock: real time moved by `offset`, so time still passes between events (their order
    # and timestamps stay distinct) while a test can jump hours or days ahead.
    @property
    def now(self) -> datetime:
        return utc_now() + self.offset

    def advance(self, **delta: float) -> None:
        """Move the clock forward, e.g. `advance(hours=25)`: timeouts, windows and idle drafts see it."""
        self.offset += timedelta(**delta)

    def set_now(self, moment: datetime) -> None:
        """Put the clock at `moment` (aware), e.g. a Sunday night outside staff hours."""
        self.offset = moment - utc_now()

    def now_ms(self) -> str:
        return str(int(self.now.timestamp() * 1000))

    def send(self, payload: dict[str, Any]) -> list[Reply]:
        """A webhook payload (tests/harness.py builders), stamped with the kit's clock, through the
        inbox and the processor; the handlers' replies, which are also recorded in the outbox.
        An exception in a handler is raised here (the worker would log it and retry later)."""
        payload = {**payload, "timestamp": self.now_ms()}
        event = parse_event(payload)
        if not self.inbox.add(event, json.dumps(payload, ensure_ascii=False)):
            return []  # a redelivery: the webhook stores nothing and nothing is answered
        self.bot.replies, self.bot.error = None, None
        assert self.processor.run_once(), "the event was not claimed"
        if self.bot.error is not None:
            raise self.bot.error
        return self.bot.replies or []

    def citizen(self, user_id: str) -> Citizen:
        return Citizen(self, user_id)

    def staff_echo(self, user_id: str, text: str) -> list[Reply]:
        """A message staff sent from the OA inbox (Zalo's oa_send_text echo)."""
        return self.send(echo_event(user_id, text))

    def rows(self, sql: str, *args: Any) -> list[tuple]:
        with self.storage.connect() as db:
            return [tuple(r) for r in db.execute(sql, list(args)).fetchall()]


class Citizen:
    """One citizen talking to the bot; each call returns the bot's replies, in order."""

    def __init__(self, kit: Kit, user_id: str):
        self.kit = kit
        self.user_id = user_id
        self.last: list[Reply] = []

    def send(self, payload: dict[str, Any]) -> list[Reply]:
        self.last = self.kit.send(payload)
        return self.last

    def say(self, text: str) -> list[Reply]:
        return self.send(text_event(self.user_id, text))

    def tap(self, title: str) -> list[Reply]:
        """Press a button of the bot's last replies: Zalo sends its payload as the citizen's text."""
        for reply in reversed(self.last):
            for button in reply.buttons:
                if button.title == title:
                    assert button.type.startswith("oa.query"), button
                    assert isinstance(button.payload, str)
                    return self.say(button.payload)
        raise AssertionError(f"no button {title!r} in {shown(self.last)}")

    def send_image(self) -> list[Reply]:
        """An image message (its URL is https://example.invalid/x)."""
        return self.send(media_event(self.user_id, "image"))

    def send_media(self, kind: str, text: str = "") -> list[Reply]:
        return self.send(media_event(self.user_id, kind, text))

    def follow(self) -> list[Reply]:
        return self.send(follow_event(self.user_id))

    def submit_info(self, name: str, phone: str) -> list[Reply]:
        return self.send({"event_name": "user_submit_info", "app_id": APP_ID, "sender": {"id": self.user_id},
                          "recipient": {"id": "oa"}, "timestamp": "0", "info": {"name": name, "phone": phone}})
