"""The one chokepoint for Zalo OpenAPI calls.

Every response is checked for `error` (Zalo reports failures with HTTP 200), failures become one
ZaloError with a kind, transient ones are retried with jittered backoff a bounded number of
times, and -216/-220 trigger exactly one token refresh and one retry.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import requests

from bot import safejson
from bot.config import ZaloSettings
from bot.zalo.errors import ErrorKind, ZaloError
from bot.zalo.tokens import TokenManager

log = logging.getLogger(__name__)

RETRYABLE = (ErrorKind.TRANSIENT, ErrorKind.RATE_LIMIT)


class ZaloClient:
    sandbox = False

    def __init__(
        self,
        settings: ZaloSettings,
        tokens: TokenManager,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.settings = settings
        self.tokens = tokens
        self.session = session or _pooled_session()
        self._sleep = sleep

    # --- messages -------------------------------------------------------------------------
    def send_message(self, user_id: str, message: dict[str, Any], *, retry: bool = True) -> str:
        """Send one consultation (CS) message; returns Zalo's message_id."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        data = self.call("POST", "/v3.0/oa/message/cs", json=body, retry=retry)
        return str(data.get("message_id", ""))

    def send_template(self, user_id: str, template_id: str, template_data: dict[str, Any], *, retry: bool = True) -> str:
        body = {"user_id": user_id, "template_id": template_id, "template_data": template_data}
        data = self.call("POST", "/v3.0/oa/message/template", json=body, retry=retry)
        return str(data.get("message_id", ""))

    def broadcast_article(self, article_id: str, target: dict[str, Any]) -> str:
        element = {"media_type": "article", "attachment_id": article_id}
        body = {
            "recipient": {"target": target},
            "message": {"attachment": {"type": "template", "payload": {"template_type": "media", "elements": [element]}}},
        }
        # Not retried here: a 5xx after Zalo accepted it would fan the article out twice.
        return str(self.call("POST", "/v2.0/oa/message", json=body, retry=False).get("message_id", ""))

    def create_article(self, article: dict[str, Any]) -> str:
        return str(self.call("POST", "/v2.0/article/create", json=article).get("token", ""))

    def verify_article(self, token: str) -> str:
        """Raises ZaloError(kind=PENDING) while Zalo is still processing (-214): poll again later."""
        return str(self.call("POST", "/v2.0/article/verify", json={"token": token}).get("id", ""))

    # --- users ----------------------------------------------------------------------------
    def list_followers(self, offset: int, count: int = 50) -> dict[str, Any]:
        query = {"offset": offset, "count": count, "is_follower": True}
        return self.call("GET", "/v3.0/oa/user/getlist", params={"data": json.dumps(query)})

    def user_detail(self, user_id: str) -> dict[str, Any]:
        return self.call("GET", "/v3.0/oa/user/detail", params={"data": json.dumps({"user_id": user_id})})

    def conversation(self, user_id: str, offset: int = 0, count: int = 10) -> list[dict[str, Any]]:
        """The OA's recent messages with one citizen, newest first (at most 10 per call). Each item has
        `src` (0: sent by the OA, 1: by the citizen), `time` (ms), `message_id`, `type`, `message`."""
        query = {"user_id": user_id, "offset": offset, "count": count}
        data = self.call("GET", "/v2.0/oa/conversation", params={"data": json.dumps(query)})
        value = data.get("value", data.get("messages"))  # a list in `data`; some clients also accept data.messages
        return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []

    # --- the chokepoint -------------------------------------------------------------------
    def call(self, method: str, path: str, *, retry: bool = True, **kwargs: Any) -> dict[str, Any]:
        """Call with bounded retries for transient failures and one refresh on auth failures."""
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            token = self.tokens.access_token()
            try:
                return self._once(method, path, token, **kwargs)
            except ZaloError as exc:
                if exc.kind is ErrorKind.AUTH and not refreshed:
                    refreshed = True
                    self.tokens.refresh(failed_token=token)
                    continue
                if not retry or exc.kind not in RETRYABLE or attempt >= self.settings.max_attempts:
                    raise
                delay = self.settings.backoff_seconds * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
                log.warning("Zalo %s %s: %s; retrying in %.2fs", method, path, exc, delay)
                self._sleep(delay)

    def _once(self, method: str, path: str, token: str, **kwargs: Any) -> dict[str, Any]:
        url = self.settings.api_base.rstrip("/") + path
        try:
            response = self.session.request(
                method, url, headers={"access_token": token}, timeout=self.settings.timeout_seconds, **kwargs
            )
        except requests.RequestException as exc:
            if _never_sent(exc):
                raise ZaloError(0, f"cannot reach Zalo: {type(exc).__name__}", ErrorKind.TRANSIENT) from None
            raise _ambiguous(method) from None
        return _envelope(response)


def _never_sent(exc: requests.RequestException) -> bool:
    """Only a failure to connect proves Zalo never saw the request; a dropped connection or a
    read timeout may come after Zalo acted on it."""
    return isinstance(exc, requests.ConnectTimeout) or (
        isinstance(exc, requests.ConnectionError) and "NewConnectionError" in repr(exc.args))


def _ambiguous(method: str) -> ZaloError:
    """No answer after sending: Zalo may have acted on the request. Re-sending a message could
    duplicate it, so only reads are retried."""
    if method == "GET":
        return ZaloError(0, "no answer from Zalo", ErrorKind.TRANSIENT)
    return ZaloError(0, "no answer from Zalo; the message may or may not have been delivered", ErrorKind.AMBIGUOUS)


def _envelope(response: requests.Response) -> dict[str, Any]:
    if response.status_code >= 500 or response.status_code == 429:
        raise ZaloError(0, f"HTTP {response.status_code} from Zalo", ErrorKind.TRANSIENT)
    try:
        body = safejson.loads(response.content)  # size and depth limits: a ValueError, not a RecursionError
    except ValueError:
        raise ZaloError(0, f"HTTP {response.status_code} with a non-JSON body", ErrorKind.TRANSIENT) from None
    if not isinstance(body, dict):
        raise ZaloError(0, "unexpected response shape", ErrorKind.TRANSIENT)
    code = int(body.get("error", 0) or 0)
    if code != 0:
        raise ZaloError(code, str(body.get("message", "")))
    if response.status_code >= 400:
        raise ZaloError(0, f"HTTP {response.status_code} from Zalo", ErrorKind.CONFIG)
    data = body.get("data")
    return data if isinstance(data, dict) else {"value": data}


def _pooled_session() -> requests.Session:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=32)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
