"""A real local HTTP server that answers like Zalo's OpenAPI and OAuth hosts, for tests and benchmarks.

The product's `requests` client talks to it over loopback, so the tests exercise real HTTP, real JSON
and real keep-alive; the fake records every request so tests assert exactly what was sent. Scripted
injections (`ZaloErr`, `Http`, `Delay`, `Empty`) reproduce Zalo's failure shapes on demand.
Endpoints live in `fakezalo_routes.py`, state and OAuth in `fakezalo_state.py`, body checks in
`fakezalo_shapes.py`, sockets in `fakezalo_http.py`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from tests.fakezalo_http import FakeHttpServer
from tests.fakezalo_routes import ROUTES
from tests.fakezalo_state import FakeState, FakeUser, Recorded, Reply, SentMessage, check_auth, err

__all__ = ["Delay", "Empty", "FakeZalo", "Http", "Recorded", "SentMessage", "ZaloErr"]

MESSAGES = {
    -32: "reached limit call api", -100: "attachment_id was expired", -200: "Send message failed",
    -201: "Parameters are invalid!", -210: "Parameter exceeds allowable limit", -211: "Out of quota",
    -213: "User has not followed OA", -214: "Article is being processed", -216: "Access token is invalid",
    -217: "User has blocked invitation from OA", -218: "Out of quota receive",
    -220: "access_token is expired or removed", -227: "User is banned or inactive > 45 days",
    -230: "User has not interacted with the OA in the past 7 days",
    -232: "User has not interacted, or last interaction expired", -233: "message type is invalid or not support",
    -234: "This message cannot be sent at night (10:00PM - 6:00AM)", -240: "MessageV2 API has been shut down",
    -248: "Violates our platform standards",
}


@dataclass(frozen=True)
class ZaloErr:
    """HTTP 200 envelope carrying this Zalo error code."""

    code: int
    message: str | None = None


@dataclass(frozen=True)
class Http:
    """A raw HTTP answer, e.g. a 502 HTML page from a proxy."""

    status: int
    body: str = ""
    content_type: str = "text/html"


@dataclass(frozen=True)
class Delay:
    """Sleep, then handle normally: the client may time out although Zalo did the work."""

    seconds: float


@dataclass(frozen=True)
class Empty:
    """HTTP 200 with an empty body (what OAuth answers to a reused refresh token)."""


Injection = ZaloErr | Http | Delay | Empty


class FakeZalo:
    """Start with `with FakeZalo() as fake:` (or `.start()` / `.close()`); point clients at `base_url`.

    Knobs on `fake.state`: `allow_unknown_users` (default True: users never `set_user` are followers
    who just interacted), `article_pending_polls` (default 1: verify answers -214 that many times).
    """

    def __init__(self, app_id: str = "1234567890", app_secret: str = "app-secret",
                 access_token: str = "fake-access-token", refresh_token: str = "fake-refresh-token") -> None:
        self.state = FakeState(app_id, app_secret, access_token, refresh_token)
        self.latency = 0.0  # seconds added to every request, for load tests
        self._lock = threading.Lock()
        self._records: list[Recorded] = []
        self._queues: dict[str, deque[Injection]] = {}
        self._always: dict[str, int] = {}
        self._errors: list[BaseException] = []
        self._server: FakeHttpServer | None = None

    # lifecycle -------------------------------------------------------------
    def start(self) -> FakeZalo:
        self._server = FakeHttpServer(self)
        # A short poll interval keeps close() (and so every test teardown) around 10 ms.
        threading.Thread(target=self._server.serve_forever, args=(0.01,), name="fake-zalo", daemon=True).start()
        return self

    def close(self) -> None:
        """Stop serving; re-raise the first crash of the fake itself so a fake bug never hides."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._errors:
            raise RuntimeError("fake Zalo handler crashed") from self._errors[0]

    def __enter__(self) -> FakeZalo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "FakeZalo is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # tokens ----------------------------------------------------------------
    @property
    def access_token(self) -> str | None:
        return self.state.access_token

    @property
    def refresh_token(self) -> str:
        return self.state.refresh_token

    @property
    def refresh_count(self) -> int:
        """Refresh-grant requests received (well-formed, right secret), whatever their outcome."""
        return self.state.refresh_count

    def expire_access_token(self, code: int = -216) -> None:
        """The current token stops working; calls with it get `code` (-216 or -220) until a refresh."""
        with self.state.lock:
            if self.state.access_token:
                self.state.expired[self.state.access_token] = code
            self.state.access_token = None

    # users -----------------------------------------------------------------
    def add_followers(self, user_ids: list[str]) -> None:
        """Followers who interacted just now, listed by getlist in this order."""
        with self.state.lock:
            for uid in user_ids:
                self.state.users[uid] = FakeUser()

    def set_user(self, user_id: str, follower: bool = True, last_interaction_days_ago: float = 0.0) -> None:
        with self.state.lock:
            self.state.users[user_id] = FakeUser(follower, time.time() - last_interaction_days_ago * 86400)

    def user_wrote(self, user_id: str, text: str, at: float | None = None) -> None:
        """A message from the citizen to the OA, shown in `/v2.0/oa/conversation`."""
        with self.state.lock:
            self.state.inbound.append((user_id, self.state.new_id(), text, time.time() if at is None else at))

    # failure scripting -----------------------------------------------------
    def inject(self, path: str, *responses: Injection) -> None:
        """Queue answers for `path` (or "*" for any path), used first-in first-out, one per request."""
        with self._lock:
            self._queues.setdefault(path, deque()).extend(responses)

    def fail_always(self, path: str, code: int) -> None:
        with self._lock:
            self._always[path] = code

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()
            self._always.clear()

    # records ---------------------------------------------------------------
    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._records)

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def sent(self, user_id: str | None = None) -> list[SentMessage]:
        """Accepted `/cs` messages in order, optionally for one user."""
        with self.state.lock:
            return [s for s in self.state.sent if user_id is None or s.user_id == user_id]

    def reset_records(self) -> None:
        with self._lock, self.state.lock:
            self._records.clear()
            self.state.sent.clear()

    # request handling (server threads) --------------------------------------
    def respond(self, req: Recorded) -> Reply:
        with self._lock:
            self._records.append(req)
            queue = self._queues.get(req.path) or self._queues.get("*")
            injected = queue.popleft() if queue else None
            always = self._always.get(req.path, self._always.get("*"))
        if self.latency:
            time.sleep(self.latency)
        if isinstance(injected, Delay):
            time.sleep(injected.seconds)
        elif injected is not None:
            return _injected_reply(injected)
        if always is not None:
            return err(always, MESSAGES.get(always, "Unknown error"))
        return _route(self.state, req)

    def crashed(self, error: BaseException) -> None:
        with self._lock:
            self._errors.append(error)


def _injected_reply(injected: Injection) -> Reply:
    if isinstance(injected, ZaloErr):
        return err(injected.code, injected.message or MESSAGES.get(injected.code, "Unknown error"))
    if isinstance(injected, Http):
        return Reply(injected.status, injected.body.encode(), injected.content_type)
    return Reply(200, b"")


def _route(state: FakeState, req: Recorded) -> Reply:
    route = ROUTES.get((req.method, req.path))
    if route is None:
        return Reply(404, b"<html><body>404 Not Found</body></html>", "text/html")
    endpoint, needs_token = route
    if needs_token and (problem := check_auth(state, req.headers)):
        return err(*problem)
    return endpoint(state, req)
