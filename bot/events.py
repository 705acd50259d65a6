"""Zalo webhook payloads parsed at the edge into frozen dataclasses; raw dicts stop here.

Ids and timestamps arrive as JSON strings (ids exceed 2^53) and stay strings, except the
timestamp, which becomes an int of epoch milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot import safejson

RECEIPTS = ("user_received_message", "user_seen_message")  # the OA's messages reached / were read by a citizen


class EventError(ValueError):
    """The payload is not a usable Zalo event (HTTP 400)."""


@dataclass(frozen=True)
class Attachment:
    type: str
    url: str = ""
    name: str = ""


@dataclass(frozen=True)
class Event:
    name: str
    timestamp_ms: int
    user_id: str | None  # the citizen this event is about (sender, follower or recipient of an echo)
    app_id: str = ""
    msg_id: str | None = None
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)  # user_submit_info answers
    reaction: str = ""  # user_reacted_message: the icon; its msg_id is the message reacted to
    msg_ids: tuple[str, ...] = ()  # receipts: the OA message ids received or seen

    @property
    def is_receipt(self) -> bool:
        return self.name in RECEIPTS

    @property
    def is_user_message(self) -> bool:
        return self.name.startswith("user_send_")

    @property
    def is_echo(self) -> bool:
        return self.name.startswith("oa_send_")

    @property
    def kind(self) -> str:
        """`text`, `image`, … for user messages; the event name otherwise."""
        return self.name.removeprefix("user_send_") if self.is_user_message else self.name

    @property
    def dedupe_key(self) -> str:
        """Zalo delivers at least once: the same message id, or the same event/user/time, is one event.
        Only a message (or its echo) is identified by its msg_id: a reaction's msg_id is the message
        reacted to, shared with that message's echo and with every other reaction to it."""
        if self.msg_id and (self.is_user_message or self.is_echo):
            return f"msg:{self.msg_id}"
        key = f"evt:{self.name}:{self.user_id or ''}:{self.timestamp_ms}"
        if self.msg_ids:  # receipts: which messages
            key += ":" + ",".join(self.msg_ids)
        return f"{key}:{self.msg_id}:{self.reaction}" if self.msg_id else key


def signed_fields(raw: bytes) -> tuple[str, str]:
    """(timestamp, OA id) read from the raw body without building it, so the signature (which
    covers the timestamp) is checked before any parsing; EventError when the body is too deep or
    too large to be an event. The OA id is the flat `oa_id` on follow events, `recipient.id` on
    user messages."""
    try:
        found = safejson.scan(raw, want=("timestamp", "oa_id", "recipient.id")).fields
    except safejson.JSONLimitError as exc:
        raise EventError(str(exc)) from None
    return found.get("timestamp", ""), found.get("oa_id") or found.get("recipient.id", "")


def decode(raw: bytes) -> dict[str, Any]:
    """Raw body → JSON object, or EventError."""
    try:
        payload = safejson.loads(raw)
    except safejson.JSONLimitError as exc:
        raise EventError(str(exc)) from None
    if not isinstance(payload, dict):
        raise EventError("body must be a JSON object")
    return payload


def parse_event(payload: dict[str, Any]) -> Event:
    name = payload.get("event_name")
    if not isinstance(name, str) or not name:
        raise EventError("missing event_name")
    timestamp = _timestamp(payload.get("timestamp"))
    message = _mapping(payload.get("message"))
    user_id = _user_id(name, payload)
    receipt = name in RECEIPTS
    if user_id is None and (name.startswith(("user_", "oa_send_")) or name in ("follow", "unfollow")):
        raise EventError(f"{name}: missing user id")
    return Event(
        name=name,
        timestamp_ms=timestamp,
        user_id=user_id,
        app_id=str(payload.get("app_id", "")),
        # A receipt's msg_id (a variant) names the OA's message: as a dedupe key it would collide
        # with that message's oa_send_* echo, so receipts dedupe on event, citizen and time.
        msg_id=None if receipt else _opt_str(message.get("msg_id")),
        text=_text(message.get("text")),
        attachments=tuple(_attachment(a) for a in message.get("attachments") or () if isinstance(a, dict)),
        info=_mapping(payload.get("info")),
        reaction=str(message.get("react_icon") or ""),
        msg_ids=_msg_ids(message) if receipt else (),
    )


def _timestamp(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise EventError("timestamp must be epoch milliseconds") from None


def _user_id(name: str, payload: dict[str, Any]) -> str | None:
    if name in ("follow", "unfollow"):
        return _opt_str(_get(payload, "follower", "id"))
    if name.startswith("oa_send_"):
        return _opt_str(_get(payload, "recipient", "id"))
    if name in RECEIPTS:  # sent by the OA *to* the citizen (for ZNS the citizen's phone number)
        return (_opt_str(_get(payload, "recipient", "id")) or _opt_str(_get(payload, "recipient", "user_id"))
                or _opt_str(payload.get("user_id")) or _opt_str(_get(payload, "recipient", "phone")))
    return _opt_str(_get(payload, "sender", "id")) or _opt_str(payload.get("user_id"))


def _mapping(value: Any) -> dict[str, Any]:
    """A JSON object field, or an empty one when the field is missing or of another shape."""
    return value if isinstance(value, dict) else {}


def _get(payload: dict[str, Any], outer: str, inner: str) -> Any:
    value = payload.get(outer)
    return value.get(inner) if isinstance(value, dict) else None


def _text(value: Any) -> str:
    """A message's words: a string (or a number); a list or an object is no text, not its repr."""
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _msg_ids(message: dict[str, Any]) -> tuple[str, ...]:
    """`message.msg_ids` as a list (what public integrations read), a comma-separated string, or a
    single `msg_id` (variants seen in the wild); empty when none parses."""
    raw = message.get("msg_ids")
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list):
        raw = [message.get("msg_id")]
    return tuple(dict.fromkeys(s for s in (_opt_str(v.strip() if isinstance(v, str) else v) for v in raw
                                           if isinstance(v, (str, int))) if s))


def _attachment(raw: dict[str, Any]) -> Attachment:
    payload = _mapping(raw.get("payload"))
    return Attachment(type=str(raw.get("type", "")), url=str(payload.get("url") or ""), name=str(payload.get("name") or ""))
