"""State, records, auth and OAuth of the fake Zalo server: what Zalo would answer, without sockets.

Endpoints are `(state, request) -> Reply`; `tests/fakezalo.py` owns sockets, injection and recording.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from tests.fakezalo_shapes import Problem, invalid

WINDOW_SECONDS = 7 * 86400
AUTH_MESSAGES = {-216: "Access token is invalid", -220: "access_token is expired or removed"}


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it; header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    json: Any
    form: dict[str, str]
    time: float
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @property
    def data(self) -> Any:
        """The JSON `data=` parameter Zalo GETs carry."""
        return json.loads(self.query.get("data", "{}"))


@dataclass(frozen=True)
class SentMessage:
    """A `/v3.0/oa/message/cs` body Zalo accepted, with the message_id it answered."""

    user_id: str
    message_id: str
    body: dict[str, Any]
    time: float

    @property
    def text(self) -> str | None:
        return self.body["message"].get("text")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        payload = self.body["message"].get("attachment", {}).get("payload", {})
        return payload.get("buttons", [])


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    location: str | None = None


@dataclass
class FakeUser:
    follower: bool = True
    last_interaction: float = field(default_factory=time.time)


def ok(data: Any) -> Reply:
    return Reply(200, json.dumps({"data": data, "error": 0, "message": "Success"}).encode())


def err(code: int, message: str) -> Reply:
    return Reply(200, json.dumps({"error": code, "message": message}).encode())


def oauth_err(code: int, name: str) -> Reply:
    body = {"error": code, "error_name": name, "error_reason": name, "error_description": name}
    return Reply(200, json.dumps(body).encode())


class FakeState:
    """Everything the fake remembers; every mutation happens under `lock`."""

    def __init__(self, app_id: str, app_secret: str, access_token: str, refresh_token: str) -> None:
        self.lock = threading.Lock()
        self.app_id, self.app_secret, self.oa_id = app_id, app_secret, "1646843870823903717"
        self.access_token: str | None = access_token
        self.refresh_token = refresh_token
        self.expired: dict[str, int] = {}
        self.used_refresh: set[str] = set()
        self.refresh_count = 0
        self.auth_codes: dict[str, str] = {}
        self.users: dict[str, FakeUser] = {}
        self.allow_unknown_users = True
        self.article_pending_polls = 1
        self.article_polls: dict[str, int] = {}
        self.sent: list[SentMessage] = []
        self.inbound: list[tuple[str, str, str, float]] = []  # (user_id, message_id, text, time) users wrote
        self._ids = itertools.count(1)

    def new_id(self) -> str:
        """Zalo-like 20-hex id; the counter prefix makes it unique, not just probably unique."""
        return f"{next(self._ids):08x}{secrets.token_hex(6)}"

    def issue_tokens(self) -> Reply:
        """Rotate both tokens (caller holds the lock); the old access token stops working."""
        self.access_token = f"fake-at-{self.new_id()}"
        self.refresh_token = f"fake-rt-{self.new_id()}"
        body = {"access_token": self.access_token, "refresh_token": self.refresh_token, "expires_in": "90000"}
        return Reply(200, json.dumps(body).encode())

    def reachability(self, user_id: str) -> Problem:
        user = self.users.get(user_id)
        if user is None:
            return None if self.allow_unknown_users else invalid("user_id")
        if not user.follower:
            return (-213, "User has not followed OA")
        if time.time() - user.last_interaction > WINDOW_SECONDS:
            return (-230, "User has not interacted with the OA in the past 7 days")
        return None

    def followers(self) -> list[str]:
        return [uid for uid, user in self.users.items() if user.follower]


def check_auth(state: FakeState, headers: dict[str, str]) -> Problem:
    """OpenAPI auth: the bare `access_token` header, plus `appsecret_proof` when sent."""
    token = headers.get("access_token", "")
    with state.lock:
        if not token or token != state.access_token:
            code = state.expired.get(token, -216)
            return (code, AUTH_MESSAGES[code])
    proof = headers.get("appsecret_proof")
    if proof is None:
        return None
    want = hmac.new(state.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(proof, want) else (-242, "Invalid appsecret_proof")


def pkce_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def permission(state: FakeState, req: Recorded) -> Reply:
    """The consent page, already approved: redirect to the callback with a fresh single-use code."""
    q = req.query
    if q.get("app_id") != state.app_id or not q.get("redirect_uri") or not q.get("code_challenge"):
        return Reply(400, b"<html><body>Invalid request</body></html>", "text/html")
    with state.lock:
        code = f"fake-code-{state.new_id()}"
        state.auth_codes[code] = q["code_challenge"]
    params = {"code": code, "oa_id": state.oa_id, **({"state": q["state"]} if "state" in q else {})}
    return Reply(302, b"", "text/html", f"{q['redirect_uri']}?{urlencode(params)}")


def access_token(state: FakeState, req: Recorded) -> Reply:
    """OAuth v4 token endpoint: refresh-token rotation and the PKCE code exchange."""
    form = req.form
    if req.headers.get("secret_key") != state.app_secret:
        return oauth_err(-14001, "Invalid secret key.")  # code chosen by the fake, not confirmed
    if form.get("app_id") != state.app_id:
        return oauth_err(-14002, "Invalid appId.")
    with state.lock:
        if form.get("grant_type") == "refresh_token":
            return _refresh(state, form.get("refresh_token", ""))
        if form.get("grant_type") == "authorization_code":
            return _exchange(state, form.get("code", ""), form.get("code_verifier", ""))
    return oauth_err(-14000, "Invalid grant_type.")  # code chosen by the fake


def _refresh(state: FakeState, token: str) -> Reply:
    """Counts every refresh attempt, so a client that refreshes twice cannot hide behind a failure."""
    state.refresh_count += 1
    if token in state.used_refresh:
        return Reply(200, b"")  # reference §6: a reused refresh token gets an empty 200
    if token != state.refresh_token:
        return oauth_err(-14014, "Invalid refresh token.")
    state.used_refresh.add(token)
    return state.issue_tokens()


def _exchange(state: FakeState, code: str, verifier: str) -> Reply:
    challenge = state.auth_codes.pop(code, None)
    if challenge is None or not hmac.compare_digest(challenge, pkce_challenge(verifier)):
        return oauth_err(-14019, "Invalid authorization code or code_verifier.")  # code chosen by the fake
    return state.issue_tokens()

