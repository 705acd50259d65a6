"""The core: an event goes in, replies come out. No HTTP here, so the webhook worker, the
terminal chat and the tests all drive the same code."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.agency import renderer
from bot.clock import utc_now
from bot.config import Config
from bot.conversations import citizens
from bot.events import Event
from bot.knowledge.live import LiveKnowledge, Snapshot
from bot.replies import Reply
from bot.reports import engagement
from bot.storage import Storage

INTERACTIONS = ("follow", "user_click_chatnow", "user_submit_info")


@dataclass(frozen=True)
class Context:
    """What a handler may use. `now` is local time in the configured timezone."""

    config: Config
    storage: Storage
    knowledge: Snapshot
    now: datetime

    def render(self, text: str, facts: Iterable[tuple[str, str]] = ()) -> str:
        """Fill an entry's `facts` ({fee}, {deadline}, …) and agency placeholders ({hotline}, {portal}, …),
        leaving out unset ones (bot/agency.py); unknown braces stay as written."""
        return renderer(self.config.agency).render(text, facts)

    def link(self, template: str) -> str | None:
        """A button's URL or phone number; None when it needs an agency setting still unset."""
        return renderer(self.config.agency).value(template)


Dispatcher = Callable[[Event, Context], list[Reply]]


class Bot:
    def __init__(self, config: Config, storage: Storage, knowledge: LiveKnowledge, dispatch: Dispatcher, *,
                 clock: Callable[[], datetime] = utc_now):
        self.config = config
        self.clock = clock  # UTC now; tests move it (tests/dispatchkit.py) instead of editing stored times
        self.storage = storage
        self.knowledge = knowledge
        self.dispatch = dispatch
        self.tz = ZoneInfo(config.timezone)

    def handle(self, event: Event) -> list[Reply]:
        now = self.clock()
        if event.user_id and (event.is_user_message or event.name in INTERACTIONS):
            citizens.record_interaction(self.storage, event.user_id, event.timestamp_ms)
        if event.user_id and event.is_user_message:  # a reply to, or a click on, a campaign message
            engagement.note_response(self.storage, event.user_id, event.text, now)
        ctx = Context(self.config, self.storage, self.knowledge.current, now.astimezone(self.tz))
        return self.dispatch(event, ctx)
