"""Staff's side of handoffs, shared by `python -m bot handoffs`, the admin API and the console:
the list (after applying the timeout, so a handoff staff let lapse shows as closed) and closing
one, which gives the conversation back to the bot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import Config
from bot.conversations import handoffs
from bot.storage import Storage


def listing(storage: Storage, config: Config, now: datetime, *, include_closed: bool = False) -> list[dict[str, Any]]:
    """Open handoffs (with `include_closed`, closed ones too), newest first."""
    return handoffs.listing(storage, now, handoffs.timeout(config), include_closed=include_closed)


def close(storage: Storage, user_id: str, now: datetime) -> bool:
    """Staff end a handoff; False when the citizen had none open."""
    return handoffs.close(storage, user_id, now, by="staff")
