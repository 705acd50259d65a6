"""The dispatch table: every kind of conversation the bot has, in priority order.

Reading ROUTES tells you everything the bot does with an event. The first route whose predicate
accepts the event handles it; an event no route accepts gets no reply (unknown events). Before
any route, `notices` adds what the citizen must hear whatever the answer: staff replies held
outside Zalo's 7-day window, the end of a handoff, an expired draft.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core import Context
from bot.events import Event
from bot.replies import Reply
from handlers import commands, faq, feedback, flood, follow, handoff, media, menu, notices, payload, receipts, smalltalk

Route = tuple[str, Callable[[Event, Context], bool], Callable[[Event, Context], list[Reply]]]

ROUTES: list[Route] = [
    ("receipts (received, seen)", receipts.applies, receipts.handle),
    ("follow", follow.applies, follow.handle),
    ("staff messages (oa_send_* echoes)", handoff.is_echo, handoff.on_echo),
    ("payload buttons", payload.applies, payload.handle),
    ("feedback in progress", feedback.applies, feedback.handle),
    ("handed off to staff: silence", handoff.is_handed_off, handoff.stay_silent),
    ("chat button on the OA profile", menu.is_chat_button, menu.show),
    ("flood limit", flood.applies, flood.handle),
    ("commands", commands.applies, commands.handle),
    ("small talk", smalltalk.applies, smalltalk.handle),
    ("non-text messages", media.applies, media.handle),
    ("FAQ", faq.applies, faq.handle),
]


def dispatch(event: Event, ctx: Context) -> list[Reply]:
    replies = notices.collect(event, ctx)
    for _name, applies, handle in ROUTES:
        if applies(event, ctx):
            return replies + handle(event, ctx)
    return replies
