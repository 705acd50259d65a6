"""The knowledge base the running bot answers from, reloaded when staff edit the YAML files.

A reload builds a complete new snapshot (knowledge base + matcher index) off to the side and
swaps one reference, so requests in flight keep the snapshot they started with and none is
dropped. A directory that fails to load is reported and the last good snapshot stays live.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bot.config import MatcherSettings
from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.matcher import Matcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    kb: KnowledgeBase
    matcher: Matcher
    loaded_at: str


class LiveKnowledge:
    def __init__(self, directory: str | Path, settings: MatcherSettings):
        self.directory = Path(directory)
        self.settings = settings
        self.error: list[str] = []
        self._fingerprint: tuple = ()
        self._lock = threading.Lock()
        self.current = self._build(load_knowledge(self.directory))  # fail loudly at start-up
        self._fingerprint = self._scan()

    def reload_if_changed(self) -> bool:
        """Called by the watcher thread; True when a new snapshot went live."""
        with self._lock:
            fingerprint = self._scan()
            if fingerprint == self._fingerprint:
                return False
            self._fingerprint = fingerprint
            try:
                snapshot = self._build(load_knowledge(self.directory))
            except KnowledgeError as exc:
                self.error = exc.problems
                log.error("knowledge base NOT reloaded, the last good version stays live:\n%s", exc)
                return False
            self.current = snapshot
            self.error = []
            log.info("knowledge base reloaded: %d entries", len(snapshot.kb.entries))
            return True

    def status(self) -> dict:
        return {
            "entries": len(self.current.kb.entries),
            "loaded_at": self.current.loaded_at,
            "reload_errors": self.error,
        }

    def _build(self, kb: KnowledgeBase) -> Snapshot:
        return Snapshot(kb=kb, matcher=Matcher(kb, self.settings), loaded_at=datetime.now(timezone.utc).isoformat())

    def _scan(self) -> tuple:
        """Cheap change detection: names, sizes and modification times of the YAML files."""
        files = sorted(self.directory.glob("*.yaml")) + sorted(self.directory.glob("*.yml"))
        return tuple((p.name, s.st_mtime_ns, s.st_size) for p in files if (s := p.stat()))


class KnowledgeWatcher(threading.Thread):
    """Polls the directory (portable, no extra dependency); a few seconds' latency is fine for staff."""

    def __init__(self, live: LiveKnowledge, interval: float):
        super().__init__(name="knowledge-watcher", daemon=True)
        self.live = live
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                self.live.reload_if_changed()
            except Exception:  # the watcher must survive anything a half-written file throws at it
                log.exception("knowledge reload crashed; will retry")

    def stop(self) -> None:
        self.stopping.set()
