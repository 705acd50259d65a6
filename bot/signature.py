"""Webhook signature check: `X-ZEvent-Signature = mac=sha256(app_id + raw body + timestamp + OA secret key)`.

Plain SHA-256 of the concatenation (Zalo's Java SDK MacUtils), not HMAC. Pure functions so they
are trivially testable; comparing bytes means a non-ASCII header is a mismatch, not a crash.
"""

from __future__ import annotations

import hashlib
import hmac


def expected_signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    digest = hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode())
    return digest.hexdigest()


def verify_signature(header: str | None, app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> bool:
    """False for a missing, malformed or wrong signature; never raises. Refuses when unconfigured."""
    if not header or not app_id or not oa_secret_key:
        return False
    got = header.strip().lower().removeprefix("mac=").strip()
    want = expected_signature(app_id, raw_body, timestamp, oa_secret_key)
    return hmac.compare_digest(want.encode(), got.encode("utf-8", "surrogateescape"))


def signed_by(header: str | None, ids: list[str], raw_body: bytes, timestamp: str, oa_secret_key: str) -> str | None:
    """Which of `ids` the signature was computed with, or None.

    Zalo documents the App id as the first term; some integrations sign with the OA id, as the
    legacy v1 API did (reference §2.2). Either way the OA secret key must match."""
    return next((i for i in ids if i and verify_signature(header, i, raw_body, timestamp, oa_secret_key)), None)


def sign(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The header value Zalo would send; used by the tests and the webhook bench to sign as Zalo does."""
    return "mac=" + expected_signature(app_id, raw_body, timestamp, oa_secret_key)
