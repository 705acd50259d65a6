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
from bot.intents import command_of
from bot.replies import Reply
from handlers import (
    commands,
    complaints,
    faq,
    feedback,
    flood,
    follow,
    handoff,
    media,
    menu,
    notices,
    notquestion,
    payload,
    privacy,
    ratings,
    receipts,
    smalltalk,
)

Route = tuple[str, Callable[[Event, Context], bool], Callable[[Event, Context], list[Reply]]]

ROUTES: list[Route] = [
    ("data withdrawal requested through Zalo", privacy.is_withdrawal, privacy.withdraw),
    ("receipts (received, seen)", receipts.applies, receipts.handle),
    ("follow", follow.applies, follow.handle),
    ("staff messages (oa_send_* echoes)", handoff.is_echo, handoff.on_echo),
    ("payload buttons", payload.applies, payload.handle),
    ("feedback in progress", feedback.applies, feedback.handle),
    ("handed off to staff: silence", handoff.is_handed_off, handoff.stay_silent),
    ("chat button on the OA profile", menu.is_chat_button, menu.show),
    ("words sent with a link or an image: routed as text", media.has_words, lambda e, c: route(media.as_text(e), c)),
    ("flood limit", flood.applies, flood.handle),
    ("commands", commands.applies, commands.handle),
    ("small talk", smalltalk.applies, smalltalk.handle),
    ("non-text messages", media.applies, media.handle),
    ("'sai rồi' after an answer: a Chưa đúng rating", ratings.is_typed_wrong, ratings.on_typed_wrong),
    ("'xem chi tiết' typed after an answer: its full text", faq.is_typed_detail, faq.on_typed_detail),
    ("a complaint typed out: the feedback flow", complaints.applies, complaints.handle),
    ("a bare number or one character: a prompt", notquestion.applies, notquestion.handle),
    ("FAQ", faq.applies, faq.handle),
]


def dispatch(event: Event, ctx: Context) -> list[Reply]:
    return notices.collect(event, ctx) + route(event, ctx)


def route(event: Event, ctx: Context) -> list[Reply]:
    for _name, applies, handle in ROUTES:
        if applies(event, ctx):
            return handle(event, ctx)
    return []


def taken_before_faq(text: str) -> str | None:
    """Which route answers this text instead of the FAQ when a citizen with nothing open sends it:
    "Chào buổi sáng ạ" is a greeting, not a question about office hours, however well the
    matcher scores it. The routes above "FAQ" that read the text alone, in ROUTES order; the
    benchmarks count such a message as not answered from the FAQ, as the citizen sees it."""
    event = Event(name="user_send_text", timestamp_ms=0, user_id=None, text=text)
    for name, taken in (("commands", command_of(event) is not None),
                        ("small talk", smalltalk.intent_of(text) is not None),
                        ("a complaint typed out: the feedback flow", complaints.is_complaint(text)),
                        ("a bare number or one character: a prompt", notquestion.too_short(text))):
        if taken:
            return name
    return None
