"""What became of the OA's messages after they were sent: Zalo's receipts (`user_received_message`,
`user_seen_message`) and the citizen's reply or button click after a campaign message.

Owner of `message_events`. A row holds only Zalo's message id, the kind and the time: whose
message it was is known from the sent message (campaign_deliveries, outgoing), so a citizen's data
deletion, which removes those, leaves nothing here that points at them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from bot.campaigns import report as campaign_report
from bot.clock import iso
from bot.events import Event
from bot.log_ids import user_ref
from bot.storage import Storage

log = logging.getLogger(__name__)

def record_receipt(storage: Storage, event: Event, log_key: str = "") -> int:
    """Store one receipt for each message id it names; returns how many were new. A receipt
    without ids is logged (event name and hashed citizen only) and otherwise ignored."""
    kind = "seen" if event.name == "user_seen_message" else "received"
    if not event.msg_ids:
        log.warning("%s from %s names no message id (message.msg_ids missing or not a list); ignored",
                    event.name, user_ref(event.user_id, log_key))
        return 0
    at = iso(datetime.fromtimestamp(event.timestamp_ms / 1000, UTC))
    with storage.transaction() as db:
        return sum(db.execute("INSERT OR IGNORE INTO message_events (message_id, kind, at) VALUES (?, ?, ?)",
                              [message_id, kind, at]).rowcount for message_id in event.msg_ids)


def note_response(storage: Storage, user_id: str, text: str, now: datetime) -> str | None:
    """A citizen wrote (or tapped a button) after a campaign message: count it as that message's
    reply, or as a click when the text is the payload of one of its buttons. Returns the kind."""
    with storage.connect() as db:
        found = campaign_report.latest_delivery(db, user_id, iso(now - campaign_report.REPLY_WINDOW))
        if found is None:
            return None
        message_id, message = found
        kind = "clicked" if text.strip() and text.strip() in _payloads(message) else "replied"
        db.execute("INSERT OR IGNORE INTO message_events (message_id, kind, at) VALUES (?, ?, ?)",
                   [message_id, kind, iso(now)])
    return kind


def _payloads(node: Any) -> set[str]:
    """The texts Zalo makes the citizen send when they tap one of the message's query buttons."""
    found: set[str] = set()
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("oa.query") and isinstance(node.get("payload"), str):
            found.add(node["payload"].strip())
        for value in node.values():
            found |= _payloads(value)
    elif isinstance(node, list):
        for value in node:
            found |= _payloads(value)
    return found

