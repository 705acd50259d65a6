"""Typed commands (bot/intents.py recognises them however they are spelled). A command
always wins over an unfinished flow: the flow is dropped, and the citizen is told so."""

from __future__ import annotations

from collections.abc import Callable

from bot.conversations import flow_state
from bot.conversations.flow_state import FLOW_LABELS
from bot.core import Context
from bot.events import Event
from bot.intents import command_of
from bot.replies import Reply
from handlers import feedback, handoff, menu, privacy, subscriptions, ticket_status


def cancel(event: Event, ctx: Context) -> list[Reply]:
    """"hủy": leave whatever flow is open."""
    state = flow_state.clear(ctx.storage, event.user_id or "")
    if state is None:
        return [Reply(text="Hiện không có thao tác nào đang dở để hủy. "
                           "Nếu muốn ngừng nhận tin thông báo, bạn nhắn «hủy nhận tin».")]
    return [Reply(text=f"Đã hủy {FLOW_LABELS.get(state.flow, 'thao tác đang dở')}. Bạn cần hỗ trợ gì khác cứ nhắn nhé.",
                  buttons=(menu.button("Xem danh mục", "#menu"),))]


ACTIONS: dict[str, Callable[[Event, Context], list[Reply]]] = {
    "menu": menu.show,
    "feedback": feedback.start,
    "lookup": ticket_status.lookup,
    "handoff": handoff.start,
    "subscribe": subscriptions.show,
    "unsubscribe": subscriptions.leave_all,
    "delete": privacy.ask,
    "confirm_delete": privacy.confirm,
    "cancel": cancel,
}
KEEPS_FLOW = ("cancel", "confirm_delete")  # these act on the open flow themselves
STARTS = {"feedback": feedback.FLOW, "delete": privacy.FLOW}  # restarting a flow needs no "dropped" note


def applies(event: Event, ctx: Context) -> bool:
    return command_of(event) is not None


def handle(event: Event, ctx: Context) -> list[Reply]:
    command = command_of(event)
    assert command is not None  # applies() said so
    dropped = None if command in KEEPS_FLOW else flow_state.clear(ctx.storage, event.user_id or "")
    restarted = dropped is not None and dropped.flow == STARTS.get(command)
    note = [Reply(text=f"Đã hủy {FLOW_LABELS.get(dropped.flow, 'thao tác đang dở')}.")] if dropped and not restarted else []
    return note + ACTIONS[command](event, ctx)
