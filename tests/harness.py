"""Test harness: signed, real-shaped Zalo webhook events driving a real app wired to the fake Zalo.

    with Harness(tmp_path, fake_zalo) as h:
        h.text("u1", "làm căn cước cần gì")
        replies = h.wait_sent("u1", 1)
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import time
import uuid
from pathlib import Path
from typing import Any

from app import create_app
from bot.config import Config, Secrets, ZaloSettings, load_config
from bot.signature import sign
from tests.fakezalo import FakeZalo, SentMessage

APP_ID = "1234567890"
OA_SECRET = "oa-secret-key"
ADMIN_TOKEN = "admin-token-for-tests"
OA_ID = "1646843870823903717"
REPO = Path(__file__).resolve().parents[1]
_msg_counter = itertools.count(1)


def now_ms() -> str:
    return str(int(time.time() * 1000))


def text_event(user_id: str, text: str, *, msg_id: str | None = None, timestamp: str | None = None) -> dict[str, Any]:
    return {
        "event_name": "user_send_text", "app_id": APP_ID,
        "sender": {"id": user_id}, "recipient": {"id": OA_ID},
        "message": {"text": text, "msg_id": msg_id or f"m{next(_msg_counter)}{uuid.uuid4().hex[:12]}"},
        "timestamp": timestamp or now_ms(), "user_id_by_app": "3611371994410983884",
    }


def media_event(user_id: str, kind: str, text: str = "") -> dict[str, Any]:
    """`text`: a link's message or an image's caption, as Zalo puts it in `message.text`."""
    attachment = {"type": kind, "payload": {"url": "https://example.invalid/x", "thumbnail": "https://example.invalid/t"}}
    return {
        "event_name": f"user_send_{kind}", "app_id": APP_ID, "sender": {"id": user_id}, "recipient": {"id": OA_ID},
        "message": {"msg_id": uuid.uuid4().hex, "text": text, "attachments": [attachment]}, "timestamp": now_ms(),
    }


def follow_event(user_id: str, name: str = "follow") -> dict[str, Any]:
    return {"oa_id": OA_ID, "follower": {"id": user_id}, "user_id_by_app": "552172779717587730",
            "event_name": name, "source": "oa_profile", "app_id": APP_ID, "timestamp": now_ms()}


def echo_event(user_id: str, text: str, admin_id: str = "staff-1") -> dict[str, Any]:
    return {"event_name": "oa_send_text", "app_id": APP_ID, "sender": {"id": OA_ID, "admin_id": admin_id},
            "recipient": {"id": user_id}, "message": {"text": text, "msg_id": uuid.uuid4().hex}, "timestamp": now_ms()}


def signed(payload: dict[str, Any] | bytes, *, secret: str = OA_SECRET) -> tuple[bytes, dict[str, str]]:
    """Body bytes and headers exactly as Zalo would send them."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    timestamp = str(json.loads(raw)["timestamp"])
    return raw, {"Content-Type": "application/json", "X-ZEvent-Signature": sign(APP_ID, raw, timestamp, secret)}


HOTLINE = "1900 1234"  # the shipped "1900 1234" is a placeholder the bot leaves out (bot/agency.py)


def make_config(tmp_path: Path, fake: FakeZalo | None, *, knowledge_dir: str | Path | None = None,
                admin: bool = True, **sections: Any) -> Config:
    """A config on a temp database, pointing at the fake Zalo (or the sandbox when fake is None), for
    an agency that filled in its name, hotline, e-mail and address (not the portals)."""
    base = _shipped_config()
    agency = dataclasses.replace(base.agency, name="Ủy ban nhân dân tỉnh Thử Nghiệm", hotline=HOTLINE,
                                 email="motcua@thunghiem.gov.vn", address="Số 1 đường Thử Nghiệm")
    secrets = Secrets(app_id=APP_ID, oa_secret_key=OA_SECRET, admin_token=ADMIN_TOKEN if admin else "")
    if fake is not None:
        secrets = dataclasses.replace(secrets, app_secret="app-secret", access_token=fake.access_token or "",
                                      refresh_token=fake.refresh_token)
        zalo = ZaloSettings(api_base=fake.base_url, oauth_base=fake.base_url, timeout_seconds=2.0,
                            backoff_seconds=0.01, max_attempts=3)
    else:
        zalo = base.zalo
    server = dataclasses.replace(base.server, inbox_lease_seconds=2.0, worker_process=False, **sections.pop("server", {}))
    # Conversation tests match lexically unless they pass matcher settings: embedding every
    # message of the suite would cost tens of seconds on CI. The meaning signal has its own tests
    # through this harness (test_matcher_decision.py, test_matcher_semantic.py). Phrasing vectors
    # go to a temp file; the process-wide memory layer spares re-embedding them.
    chosen = sections.pop("matcher", dataclasses.replace(base.matcher, semantic=False))
    matcher = dataclasses.replace(chosen, vector_cache=str(tmp_path / "vectors.sqlite3"))
    return dataclasses.replace(
        base, database=str(tmp_path / "bot.sqlite3"), matcher=matcher, knowledge_dir=str(knowledge_dir or REPO / "knowledge"),
        zalo=zalo, server=server, secrets=secrets, **{"agency": agency, **sections},
    )


@functools.cache
def _shipped_config() -> Config:
    """config.yaml read once per session (Config is frozen; each test replaces what it sets)."""
    return load_config(REPO / "config.yaml", env={})


class Harness:
    """The real Flask app (test client) + background workers + the fake Zalo."""

    def __init__(self, tmp_path: Path, fake: FakeZalo | None, **config_overrides: Any):
        self.fake = fake
        self.config = make_config(tmp_path, fake, **config_overrides)
        self.app = create_app(self.config)
        self.runtime = self.app.extensions["runtime"]
        self.client = self.app.test_client()

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.runtime.stop()

    def post(self, payload: dict[str, Any] | bytes, **kwargs: Any):
        raw, headers = signed(payload, **kwargs)
        return self.client.post("/webhook", data=raw, headers=headers)

    def text(self, user_id: str, text: str, **kwargs: Any):
        response = self.post(text_event(user_id, text, **kwargs))
        assert response.status_code == 200, response.get_json()
        return response

    def wait_sent(self, user_id: str, count: int, timeout: float = 5.0) -> list[SentMessage]:
        """Messages the fake accepted for this user, once at least `count` arrived."""
        assert self.fake is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sent = self.fake.sent(user_id)
            if len(sent) >= count:
                return sent
            time.sleep(0.02)
        raise AssertionError(f"expected {count} message(s) to {user_id}, got {len(self.fake.sent(user_id))}")

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Until the inbox has nothing pending or in progress."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = self.runtime.inbox.counts()
            if not any(counts.get(s) for s in ("pending", "processing", "replying")):
                return
            time.sleep(0.02)
        raise AssertionError(f"inbox not idle: {self.runtime.inbox.counts()}")
