"""Query-string numbers, parsed once for every admin resource: a missing value takes its default,
anything else must be a whole number in range, or the request is refused with 400 (not silently
replaced by the default, and never a negative LIMIT, which SQLite reads as "no limit")."""

from __future__ import annotations

from typing import overload

from flask import jsonify, request


class BadQuery(ValueError):
    """A query parameter that is not what the endpoint accepts (HTTP 400)."""


@overload
def query_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int: ...
@overload
def query_int(name: str, default: None, *, minimum: int = 0, maximum: int | None = None) -> int | None: ...
def query_int(name: str, default: int | None, *, minimum: int = 0, maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip()
    if not text.isdigit():
        raise BadQuery(f"`{name}` must be a whole number ≥ {minimum}, got {raw!r}")
    value = int(text)
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"{minimum}–{maximum}" if maximum is not None else f"≥ {minimum}"
        raise BadQuery(f"`{name}` must be {bounds}, got {value}")
    return value


def refuse(exc: BadQuery):
    return jsonify(ok=False, error=str(exc)), 400
