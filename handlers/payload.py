"""Button clicks: Zalo makes the citizen 'send' the button's payload as text. Payloads of our own
format (`#<command>:<argument>`) go to their handler, never to the matcher. Buttons outlive the
knowledge and the flows they were made for, so every handler answers a stale one gracefully."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.clock import iso
from bot.core import Context
from bot.events import Event
from bot.knowledge import unanswered
from bot.log_ids import user_ref
from bot.replies import Reply
from handlers import commands, faq, feedback, handoff, menu, privacy, ratings, subscriptions, survey, ticket_status

PREFIX = "#"
CHOICE_WINDOW = timedelta(minutes=30)
STALE = Reply(text="Lựa chọn này không còn hiệu lực. Bạn vui lòng gõ lại câu hỏi nhé.")


def _faq(event: Event, ctx: Context, argument: str) -> list[Reply]:
    entry = ctx.knowledge.kb.get(argument.strip())
    if entry is None:
        return [STALE]
    asked = unanswered.last_question(ctx.storage, user_ref(event.user_id, ctx.config.secrets.log_key),
                                     iso(ctx.now - CHOICE_WINDOW))  # the citizen's words, when the choice answers them
    return ratings.rated(faq.answer_replies(entry, ctx), entry, event, ctx, asked or entry.question, 1.0, chosen=True)


def _detail(event: Event, ctx: Context, argument: str) -> list[Reply]:
    entry = ctx.knowledge.kb.get(argument.strip())
    return faq.detail_replies(entry, ctx) if entry is not None else [STALE]


PAYLOADS: dict[str, Callable[[Event, Context, str], list[Reply]]] = {
    "faq": _faq,
    "detail": _detail,
    "menu": lambda event, ctx, _: menu.show(event, ctx),
    "topics": lambda event, ctx, page: menu.on_topics(ctx, page),
    "topic": lambda event, ctx, argument: menu.on_topic(ctx, argument),
    "rate": ratings.on_payload,
    "feedback": lambda event, ctx, _: feedback.start(event, ctx),
    "fb": feedback.on_payload,
    "ticket": ticket_status.show,
    "survey": survey.on_payload,
    "handoff": handoff.on_payload,
    "subscribe": lambda event, ctx, _: subscriptions.show(event, ctx),
    "sub": subscriptions.on_subscribe,
    "unsub": subscriptions.on_unsubscribe,
    "delete": privacy.on_payload,
    "cancel": lambda event, ctx, _: commands.cancel(event, ctx),
}


def applies(event: Event, ctx: Context) -> bool:
    return event.kind == "text" and event.text.strip().startswith(PREFIX)


def handle(event: Event, ctx: Context) -> list[Reply]:
    command, _, argument = event.text.strip()[len(PREFIX):].partition(":")
    action = PAYLOADS.get(command)
    return action(event, ctx, argument) if action else [STALE]
