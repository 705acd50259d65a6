"""Stand-in for Zalo when no credentials are set: nothing leaves the machine.

Outgoing messages are still recorded in the `outgoing` table (status `sandbox`), so a newcomer
sees exactly what the bot would have sent.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

_counter = itertools.count(1)


class SandboxZalo:
    sandbox = True

    def send_message(self, user_id: str, message: dict[str, Any], *, retry: bool = True) -> str:
        return _message_id()

    def send_template(self, user_id: str, template_id: str, template_data: dict[str, Any], *, retry: bool = True) -> str:
        return _message_id()

    def broadcast_article(self, article_id: str, target: dict[str, Any]) -> str:
        return _message_id()

    def create_article(self, article: dict[str, Any]) -> str:
        return "sandbox-article-token"

    def verify_article(self, token: str) -> str:
        return "sandbox-article"

    def list_followers(self, offset: int, count: int = 50) -> dict[str, Any]:
        return {"total": 0, "count": 0, "offset": offset, "users": []}

    def user_detail(self, user_id: str) -> dict[str, Any]:
        return {"user_id": user_id}

    def conversation(self, user_id: str, offset: int = 0, count: int = 10) -> list[dict[str, Any]]:
        return []  # nothing ever left the machine


def _message_id() -> str:
    return f"sandbox-{next(_counter)}-{uuid.uuid4().hex[:8]}"
