"""OA access-token lifecycle (OAuth v4): seed from the environment, refresh single-flight, rotate safely.

Zalo's refresh token is single-use and rotated on every refresh, so losing the new one means an
OA admin must re-consent in a browser. Hence: one refresh at a time across threads (a lock) and
processes (a file lock beside the database), the new pair committed to SQLite *before* it is used,
the previous pair kept, and terminal failures leaving the stored pair untouched.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests

from bot import safejson
from bot.config import Secrets, ZaloSettings
from bot.storage import Storage
from bot.zalo.errors import ErrorKind, ZaloError

log = logging.getLogger(__name__)

REFRESH_ATTEMPTS = 3


class TokenError(ZaloError):
    """No usable access token; an admin must act (re-consent or fix credentials)."""

    def __init__(self, message: str):
        super().__init__(0, message, ErrorKind.CONFIG)


class TokenManager:
    def __init__(self, storage: Storage, secrets: Secrets, settings: ZaloSettings,
                 session: requests.Session | None = None, clock: Callable[[], float] = time.time):
        self.storage = storage
        self.secrets = secrets
        self.settings = settings
        self.session = session or requests.Session()
        self.clock = clock
        self._lock = threading.Lock()
        self._lock_path = storage.path.with_name(storage.path.name + ".token.lock")

    def seed_from_environment(self) -> None:
        """Store the env pair on first start, or when an admin sets a new pair (re-consent).

        After the first refresh the database holds the only valid refresh token; the env one is
        spent, so it must not overwrite the stored pair on every restart."""
        if not (self.secrets.access_token or self.secrets.refresh_token):
            return
        seed = hashlib.sha256(f"{self.secrets.access_token}|{self.secrets.refresh_token}".encode()).hexdigest()
        with self.storage.transaction() as db:
            row = db.execute("SELECT seeded_from FROM tokens WHERE id = 1").fetchone()
            if row and row[0] == seed:
                return
            now = self.clock()
            db.execute(
                "INSERT OR REPLACE INTO tokens (id, access_token, refresh_token, access_expires_at,"
                " refresh_obtained_at, seeded_from, updated_at) VALUES (1, ?, ?, NULL, ?, ?, ?)",
                [self.secrets.access_token, self.secrets.refresh_token, now, seed, now],
            )
        log.info("OA tokens seeded from the environment")

    def stored(self) -> dict[str, Any]:
        with self.storage.connect() as db:
            rows = list(db.query("SELECT * FROM tokens WHERE id = 1"))
        return rows[0] if rows else {}

    def access_token(self) -> str:
        """The current token, refreshed first when it expires within the configured margin."""
        row = self.stored()
        expires = row.get("access_expires_at")
        margin = self.settings.refresh_before_expiry_minutes * 60
        if row.get("access_token") and (expires is None or expires - self.clock() > margin):
            return row["access_token"]
        if not row.get("refresh_token"):
            if row.get("access_token"):
                return row["access_token"]
            raise TokenError("no OA access token: set ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN (see README)")
        return self.refresh(failed_token=row.get("access_token"))

    def refresh(self, failed_token: str | None) -> str:
        """Refresh unless another thread or process already replaced `failed_token`."""
        with self._lock, self._file_lock():
            row = self.stored()
            current = row.get("access_token")
            if current and current != failed_token:
                return current
            if not row.get("refresh_token"):
                raise self._fail("no refresh token stored; an OA admin must grant access again")
            pair = self._request_refresh(row["refresh_token"])
            self._persist(pair, row)
            log.info("OA access token refreshed and rotated")
            return pair["access_token"]

    def status(self) -> dict[str, Any]:
        """For /healthz: never the tokens themselves."""
        row = self.stored()
        expires = row.get("access_expires_at")
        return {
            "has_access_token": bool(row.get("access_token")),
            "has_refresh_token": bool(row.get("refresh_token")),
            "access_expires_in_s": None if expires is None else int(expires - self.clock()),
            "last_error": row.get("last_error"),
        }

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _request_refresh(self, refresh_token: str) -> dict[str, Any]:
        form = {"refresh_token": refresh_token, "app_id": self.secrets.app_id, "grant_type": "refresh_token"}
        url = self.settings.oauth_base.rstrip("/") + "/v4/oa/access_token"
        for attempt in range(1, REFRESH_ATTEMPTS + 1):
            try:
                response = self.session.post(
                    url, data=form, headers={"secret_key": self.secrets.app_secret}, timeout=self.settings.timeout_seconds
                )
            except requests.RequestException as exc:
                problem = f"network error: {type(exc).__name__}"
            else:
                if response.status_code < 500 and "html" not in response.headers.get("Content-Type", ""):
                    return self._parse_refresh(response)
                problem = f"HTTP {response.status_code}"
            log.warning("token refresh attempt %d failed (%s)", attempt, problem)
            if attempt < REFRESH_ATTEMPTS:
                time.sleep(self.settings.backoff_seconds * 2 ** (attempt - 1))
        raise ZaloError(0, f"token refresh failed: {problem}", ErrorKind.TRANSIENT)

    def _parse_refresh(self, response: requests.Response) -> dict[str, Any]:
        if not response.content.strip():
            raise self._fail("refresh returned an empty body (refresh token already used or revoked)")
        try:
            body = safejson.loads(response.content)
        except ValueError:
            raise self._fail("refresh returned a non-JSON body") from None
        if not isinstance(body, dict):
            raise self._fail("refresh returned an unexpected shape")
        if body.get("error") not in (None, 0, "0") or body.get("error_name"):
            reason = body.get("error_name") or body.get("error_description") or body.get("message") or body.get("error")
            raise self._fail(f"refresh refused: {reason}")
        if not body.get("access_token") or not body.get("refresh_token"):
            raise self._fail("refresh response lacks access_token or refresh_token")
        return body

    def _persist(self, pair: dict[str, Any], previous: dict[str, Any]) -> None:
        now = self.clock()
        try:
            expires_in = int(pair.get("expires_in") or 90000)
        except (TypeError, ValueError):
            expires_in = 90000
        with self.storage.transaction() as db:
            db.execute(
                "UPDATE tokens SET access_token = ?, refresh_token = ?, access_expires_at = ?, refresh_obtained_at = ?,"
                " previous_access_token = ?, previous_refresh_token = ?, last_error = NULL, updated_at = ? WHERE id = 1",
                [pair["access_token"], pair["refresh_token"], now + expires_in, now,
                 previous.get("access_token"), previous.get("refresh_token"), now],
            )

    def _fail(self, message: str) -> TokenError:
        """Terminal: keep the stored pair, record the problem for /healthz, shout in the log."""
        log.error("OA TOKEN REFRESH FAILED: %s. An OA admin must re-grant access (README: Connecting a real OA).", message)
        with self.storage.transaction() as db:
            db.execute("UPDATE tokens SET last_error = ?, last_error_at = ? WHERE id = 1", [message, self.clock()])
        return TokenError(message)
