"""Body validation for the fake Zalo server (reference §3.3, §4.1).

Each check returns None when Zalo would accept the body, else `(code, message)` as Zalo answers it,
so a product bug that builds a wrong payload fails loudly in tests instead of on a real OA.
"""

from __future__ import annotations

from typing import Any

Problem = tuple[int, str] | None

MAX_TEXT = 2000
MAX_BUTTONS = 5
# Button type → keys its object payload must carry; None means the payload is a plain string.
BUTTON_PAYLOADS: dict[str, tuple[str, ...] | None] = {
    "oa.open.url": ("url",),
    "oa.query.show": None,
    "oa.query.hide": None,
    "oa.open.phone": ("phone_code",),
    "oa.open.sms": ("phone_code", "content"),
}
TARGET_KEYS = frozenset({"ages", "gender", "locations", "cities", "platform"})
TOO_LONG = (-210, "Parameter exceeds allowable limit")
UNSUPPORTED = (-233, "message type is invalid or not support")


def invalid(field: str) -> tuple[int, str]:
    return (-201, f"{field} is invalid!")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def check_cs(body: Any) -> Problem:
    """A `/v3.0/oa/message/cs` body: recipient.user_id plus text and/or one attachment."""
    if not isinstance(body, dict):
        return invalid("body")
    recipient = body.get("recipient")
    if not isinstance(recipient, dict) or not _text(recipient.get("user_id")):
        return invalid("recipient.user_id")
    message = body.get("message")
    if not isinstance(message, dict):
        return invalid("message")
    text, attachment = message.get("text"), message.get("attachment")
    if text is None and attachment is None:
        return invalid("message")
    if text is not None and (not isinstance(text, str) or (not text.strip() and attachment is None)):
        return invalid("message.text")
    if text is not None and len(text) > MAX_TEXT:
        return TOO_LONG
    if "quote_message_id" in message and not _text(message["quote_message_id"]):
        return invalid("message.quote_message_id")
    return None if attachment is None else _check_attachment(attachment)


def _check_attachment(attachment: Any) -> Problem:
    if not isinstance(attachment, dict) or not isinstance(attachment.get("payload"), dict):
        return invalid("message.attachment")
    payload = attachment["payload"]
    if attachment.get("type") == "file":
        return None if _text(payload.get("token")) else invalid("message.attachment.payload.token")
    if attachment.get("type") != "template":
        return UNSUPPORTED
    if "buttons" in payload and (problem := _check_buttons(payload["buttons"])):
        return problem
    kind = payload.get("template_type")
    if kind is None:
        return None if "buttons" in payload else invalid("message.attachment.payload.template_type")
    if kind == "media":
        return _check_media(payload.get("elements"))
    if kind == "request_user_info":
        return _check_user_info(payload.get("elements"))
    return UNSUPPORTED


def _check_buttons(buttons: Any) -> Problem:
    if not isinstance(buttons, list) or not buttons:
        return invalid("message.attachment.payload.buttons")
    if len(buttons) > MAX_BUTTONS:
        return TOO_LONG
    for i, button in enumerate(buttons):
        field = f"message.attachment.payload.buttons[{i}]"
        if not isinstance(button, dict) or not _text(button.get("title")):
            return invalid(f"{field}.title")
        if button.get("type") not in BUTTON_PAYLOADS:
            return invalid(f"{field}.type")
        keys, payload = BUTTON_PAYLOADS[button["type"]], button.get("payload")
        ok = _text(payload) if keys is None else isinstance(payload, dict) and all(_text(payload.get(k)) for k in keys)
        if not ok:
            return invalid(f"{field}.payload")
    return None


def _check_media(elements: Any) -> Problem:
    if not isinstance(elements, list) or len(elements) != 1 or not isinstance(elements[0], dict):
        return invalid("message.attachment.payload.elements")
    element = elements[0]
    if element.get("media_type") == "image":
        ok = _text(element.get("url")) or _text(element.get("attachment_id"))
    elif element.get("media_type") == "gif":
        ok = _text(element.get("attachment_id")) and all(isinstance(element.get(k), int) for k in ("width", "height"))
    else:
        return UNSUPPORTED
    return None if ok else invalid("message.attachment.payload.elements[0]")


def _check_user_info(elements: Any) -> Problem:
    if not isinstance(elements, list) or len(elements) != 1 or not isinstance(elements[0], dict):
        return invalid("message.attachment.payload.elements")
    for key in ("title", "subtitle", "image_url"):
        if not _text(elements[0].get(key)):
            return invalid(f"message.attachment.payload.elements[0].{key}")
    return None


def check_broadcast(body: dict[str, Any]) -> Problem:
    """A v2 broadcast: demographic `recipient.target` and article media elements only."""
    target = body.get("recipient", {}).get("target") if isinstance(body.get("recipient"), dict) else None
    if not isinstance(target, dict):
        return invalid("recipient.target")
    for key, value in target.items():
        if key not in TARGET_KEYS or not isinstance(value, (int, str, list)) or isinstance(value, bool):
            return invalid(f"recipient.target.{key}")
    message = body.get("message")
    if not isinstance(message, dict) or "text" in message:
        return UNSUPPORTED
    attachment = message.get("attachment")
    payload = attachment.get("payload") if isinstance(attachment, dict) else None
    if not isinstance(payload, dict) or payload.get("template_type") != "media":
        return UNSUPPORTED
    elements = payload.get("elements")
    if not isinstance(elements, list) or not elements:
        return invalid("message.attachment.payload.elements")
    for element in elements:
        if not isinstance(element, dict) or element.get("media_type") != "article":
            return UNSUPPORTED
        if not _text(element.get("attachment_id")):
            return invalid("message.attachment.payload.elements.attachment_id")
    return None


def check_article(body: Any) -> Problem:
    """`/v2.0/article/create` for a normal article: title, description, cover and a non-empty body."""
    if not isinstance(body, dict) or body.get("type") != "normal":
        return invalid("type")
    for key in ("title", "description"):
        if not _text(body.get(key)):
            return invalid(key)
    if not isinstance(body.get("cover"), dict):
        return invalid("cover")
    if not isinstance(body.get("body"), list) or not body["body"]:
        return invalid("body")
    return None
