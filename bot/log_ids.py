"""Citizens' Zalo ids are personal data: logs carry only a keyed hash, enough to follow one
conversation through the log without revealing who it was."""

from __future__ import annotations

import hashlib
import hmac
import os

_process_key = os.urandom(16)


def user_ref(user_id: str | None, key: str = "") -> str:
    """Stable for a given key (BOT_LOG_KEY); without one, stable for this process only."""
    if not user_id:
        return "-"
    secret = key.encode() if key else _process_key
    return "u:" + hmac.new(secret, user_id.encode(), hashlib.sha256).hexdigest()[:12]
