"""The dispatch table: every kind of conversation the bot has, in priority order.

Reading ROUTES tells you everything the bot does with an event. The first route whose predicate
accepts the event handles it; an event no route accepts gets no reply (echoes, unknown events).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core import Context
from bot.events import Event
from bot.replies import Reply
from handlers import faq, follow, media, payload

Route = tuple[str, Callable[[Event, Context], bool], Callable[[Event, Context], list[Reply]]]

ROUTES: list[Route] = [
    ("follow", follow.applies, follow.handle),
    ("payload buttons", payload.applies, payload.handle),
    ("non-text messages", media.applies, media.handle),
    ("FAQ", faq.applies, faq.handle),
]


def dispatch(event: Event, ctx: Context) -> list[Reply]:
    for _name, applies, handle in ROUTES:
        if applies(event, ctx):
            return handle(event, ctx)
    return []
