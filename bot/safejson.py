"""JSON from outside (Zalo's webhook, admin API bodies) read with limits on size and nesting.

Python's `json` recurses once per nesting level: 30,000 `[` in a 60 KB body end in a
RecursionError (a 500 and a traceback) instead of a refusal. `scan` walks the raw bytes once,
without recursion, and refuses a body nested deeper than MAX_DEPTH before `json` ever sees it.

The same walk finds the top-level `timestamp` field, which Zalo's signature covers
(sha256(app_id + raw body + timestamp + OA secret key)): the webhook can check who sent a body
before building any object from it. Only strings and brackets are looked at, so the walk costs
one regular-expression pass over the body plus a step per bracket.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 32  # Zalo's payloads nest 5 deep (message.attachments[].payload.coordinates)
MAX_BYTES = 1 << 20  # a backstop: the web server refuses larger bodies earlier (server.max_body_bytes)

# A JSON string (escapes included) or a bracket. `"` and `\` never occur inside a UTF-8 multibyte
# sequence, so scanning bytes is safe.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_COLON = re.compile(rb"\s*:\s*")
_SCALAR = re.compile(rb'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?', re.DOTALL)


class JSONLimitError(ValueError):
    """Not JSON we accept: malformed, too large or nested too deeply. The message is for the sender."""


@dataclass(frozen=True)
class Scan:
    depth: int  # deepest nesting seen
    fields: dict[str, str]  # the wanted fields found, as text


def scan(raw: bytes, *, want: tuple[str, ...] = (), max_depth: int = MAX_DEPTH, max_bytes: int = MAX_BYTES) -> Scan:
    """Check size and depth without parsing; return the `want` fields that are strings or numbers,
    named `key` (top level) or `key.inner` (in a top-level object); the last one written wins, as
    with `json.loads`. Raises JSONLimitError."""
    if len(raw) > max_bytes:
        raise JSONLimitError(f"body too large ({len(raw)} bytes, at most {max_bytes})")
    fields: dict[str, str] = {}
    depth = deepest = 0
    top_key = member = ""  # the last top-level key; the one whose object is open at depth 2
    for token in _TOKEN.finditer(raw):
        first = raw[token.start()]
        if first in b"[{":
            depth += 1
            if depth > max_depth:
                raise JSONLimitError(f"JSON nested more than {max_depth} levels deep")
            deepest = max(deepest, depth)
            if depth == 2:
                member = top_key if first == ord("{") else ""
        elif first in b"]}":
            depth -= 1
        elif want and depth in (1, 2) and (colon := _COLON.match(raw, token.end())):
            key = _text(token.group())
            top_key = key if depth == 1 else top_key
            name = key if depth == 1 else f"{member}.{key}"
            if name in want and (value := _SCALAR.match(raw, colon.end())):
                fields[name] = _text(value.group())
    return Scan(deepest, fields)


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH, max_bytes: int = MAX_BYTES) -> Any:
    """`json.loads` after `scan`: any JSON value, or JSONLimitError (never RecursionError)."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    scan(data, max_depth=max_depth, max_bytes=max_bytes)
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JSONLimitError(f"body is not valid JSON: {exc}") from None


def _text(token: bytes) -> str:
    """A scanned string or number as the text `str(json value)` gives."""
    try:
        return str(json.loads(token))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
