"""Console test support: the real app on a temp database with a copy of the knowledge base and
an empty campaigns folder, accounts for each role, and a signed-in Flask test client."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from bot import accounts
from bot.config import ConsoleSettings, KnowledgeSettings
from tests.fakezalo import FakeZalo
from tests.harness import REPO, Harness

PASSWORD = "mat-khau-thu-nghiem"
accounts.SCRYPT_N = 2 ** 8  # same algorithm and checks, at a cost that keeps the suite fast (hashes carry their n)
ROLES = {"quantri": "admin", "truyenthong": "officer", "tiepnhan": "staff"}


SMALL_KB = REPO / "tests" / "data" / "spine_kb"


def console_harness(tmp_path: Path, fake: FakeZalo | None, *, knowledge: Path = SMALL_KB, **overrides: Any) -> Harness:
    """`knowledge` is copied, so pages may edit it; the small one keeps `kb check` (run on every edit) quick."""
    source, knowledge = knowledge, tmp_path / "knowledge"
    shutil.copytree(source, knowledge, ignore=shutil.ignore_patterns("README.md"))
    overrides.setdefault("knowledge", KnowledgeSettings(reload_interval_seconds=0.1))
    (tmp_path / "campaigns").mkdir()
    overrides.setdefault("console", ConsoleSettings(campaigns_dir=str(tmp_path / "campaigns")))
    h = Harness(tmp_path, fake, knowledge_dir=knowledge, **overrides)
    for name, role in ROLES.items():
        accounts.add(h.runtime.storage, name, role, PASSWORD, actor="test")
    return h


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def login(client: Any, name: str, password: str = PASSWORD) -> Any:
    page = client.get("/console/login").get_data(as_text=True)
    return client.post("/console/login", data={"username": name, "password": password, "csrf_token": csrf(page)})


def post(client: Any, path: str, data: dict[str, Any] | None = None, *, page: str = "/console/") -> Any:
    """POST a form with the session's CSRF token, read from `page` as a browser would."""
    token = csrf(client.get(page).get_data(as_text=True))
    return client.post(path, data={**(data or {}), "csrf_token": token})


def visible(html: str) -> str:
    """The page's text as a reader sees it (tags removed, spaces collapsed)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
