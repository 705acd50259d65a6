"""The knowledge base the running bot answers from, reloaded when staff edit the YAML files.

A reload builds a complete new snapshot (knowledge base + matcher index) off to the side and
swaps one reference, so requests in flight keep the snapshot they started with and none is
dropped. A directory that fails to load is reported (log and /healthz, every problem as
`file:line: message`) and the last good snapshot stays live: a typo never takes the bot down.
Every version that loads is also saved beside the files (bot/knowledge/lastgood.py), so a
restart with a broken file starts from it and reports the problems the same way.

Editors save in several steps (truncate, write, rename), so a change is loaded only once the
files have stayed the same for one polling interval, and discarded if they change while being
read; the next poll picks up the finished version.

A first start with many phrasings not yet in the vector cache (a new deployment of a large
knowledge base: minutes of embedding) answers lexically at once and builds the matcher with the
meaning signal in the background, swapping it in when ready unless an edit was loaded meanwhile
(that reload built its own). /healthz shows `matcher.warming` until then.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.clock import iso, utc_now
from bot.config import MatcherSettings
from bot.kb_model import KnowledgeBase
from bot.knowledge import lastgood
from bot.knowledge.loader import knowledge_files, read_knowledge
from bot.matcher import Matcher, build_matcher, meaning_backlog, semantic_status

log = logging.getLogger(__name__)

# Phrasings to embed above which the first start does not wait for them (about 10 s of
# embedding): the bot answers lexically at once and the meaning signal joins when ready.
WARM_UP_IN_BACKGROUND = 500


@dataclass(frozen=True)
class Snapshot:
    kb: KnowledgeBase
    matcher: Matcher
    loaded_at: str


class LiveKnowledge:
    def __init__(self, directory: str | Path, settings: MatcherSettings, placeholders: Mapping[str, str] | None = None):
        self.directory = Path(directory)
        self.settings = settings
        self.placeholders = placeholders
        self.error: list[str] = []
        self.failed_at = ""
        self._lock = threading.Lock()
        self._fingerprint = self._scan()
        self._pending: tuple | None = None
        started = lastgood.load_or_last_good(self.directory, placeholders)  # KnowledgeError: never a good version
        self.warnings = [str(p) for p in started.loaded.warnings]
        self.warmed = threading.Event()  # set once the matcher has every signal it is configured for
        self.current = self._first_build(started.loaded.kb)
        self.last_good_saved_at = started.saved_at  # set while answering from the saved snapshot
        if started.errors:
            self.error, self.failed_at = started.errors, iso(utc_now())

    def reload_if_changed(self) -> bool:
        """Called by the watcher thread; True when a new snapshot went live."""
        with self._lock:
            fingerprint = self._scan()
            if fingerprint == self._fingerprint:
                self._pending = None
                return False
            if fingerprint != self._pending:  # changed since the last poll: let the save finish first
                self._pending = fingerprint
                return False
            return self._reload(fingerprint)

    def _reload(self, fingerprint: tuple) -> bool:
        started = time.perf_counter()
        try:
            texts = lastgood.read_texts(self.directory)
            loaded = read_knowledge(self.directory, self.placeholders)
            snapshot = None if loaded.errors else self._build(loaded.kb)
        except Exception as exc:  # the boundary: whatever goes wrong, the live snapshot stays
            log.exception("knowledge reload crashed; the last good version stays live")
            return self._failed([f"{self.directory}: nạp lại thất bại do lỗi chương trình: {exc!r}"], fingerprint)
        if self._scan() != fingerprint:
            return False  # written to while we read: the next polls load the finished version
        if snapshot is None:
            return self._failed([str(p) for p in loaded.errors], fingerprint)
        self.current, self._fingerprint, self._pending = snapshot, fingerprint, None
        self.warmed.set()  # built with every signal, whatever a warm-up still running finds
        self.error, self.failed_at, self.last_good_saved_at = [], "", ""
        if texts is not None:
            lastgood.save(self.directory, texts)
        self.warnings = [str(p) for p in loaded.warnings]
        log.info("knowledge base reloaded in %.0f ms: %d entries, %d warning(s)",
                 (time.perf_counter() - started) * 1000, len(snapshot.kb.entries), len(self.warnings))
        return True

    def status(self) -> dict[str, Any]:
        return {
            "entries": len(self.current.kb.entries),
            "loaded_at": self.current.loaded_at,
            "reload_errors": self.error,
            "reload_failed_at": self.failed_at,
            "last_good_saved_at": self.last_good_saved_at,  # non-empty: started from the saved version
            "warnings": len(self.warnings),
            "matcher": {**semantic_status(self.settings).as_dict(), "warming": not self.warmed.is_set()},
        }

    def _failed(self, problems: list[str], fingerprint: tuple) -> bool:
        self._fingerprint, self._pending = fingerprint, None  # report once; the next edit retries
        self.error, self.failed_at = problems, iso(utc_now())
        log.error("knowledge base NOT reloaded, the last good version stays live:\n%s", "\n".join(problems))
        return False

    def _first_build(self, kb: KnowledgeBase) -> Snapshot:
        backlog = meaning_backlog(kb, self.settings)
        if backlog <= WARM_UP_IN_BACKGROUND:
            self.warmed.set()
            return self._build(kb)
        log.warning("%d phrasings to embed: answering lexically until the meaning signal is ready", backlog)
        threading.Thread(target=self._warm_up, args=(kb,), name="meaning-warm-up", daemon=True).start()
        return Snapshot(kb=kb, matcher=Matcher(kb, self.settings), loaded_at=iso(utc_now()))

    def _warm_up(self, kb: KnowledgeBase) -> None:
        started = time.perf_counter()
        try:
            snapshot = self._build(kb)
        except Exception:  # the lexical matcher stays live; the next edit builds a full one
            log.exception("meaning signal warm-up failed; answering lexically")
            return
        with self._lock:
            if self.current.kb is kb:  # no edit was loaded meanwhile (a reload builds a full matcher)
                self.current = snapshot
            self.warmed.set()
        log.info("meaning signal ready after %.0f s", time.perf_counter() - started)

    def _build(self, kb: KnowledgeBase) -> Snapshot:
        return Snapshot(kb=kb, matcher=build_matcher(kb, self.settings), loaded_at=iso(utc_now()))

    def _scan(self) -> tuple:
        """Cheap change detection: names, sizes, modification times and inodes of the YAML files."""
        try:
            files = knowledge_files(self.directory)
        except OSError:
            return ("missing",)
        stats = []
        for path in files:
            try:
                stat = path.stat()
            except OSError:  # deleted between listing and stat
                continue
            stats.append((path.name, stat.st_mtime_ns, stat.st_size, stat.st_ino))
        return tuple(stats)


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
            except Exception:  # the thread must outlive any surprise; reload_if_changed reports its own
                log.exception("knowledge watcher: unexpected error; will retry")

    def stop(self) -> None:
        self.stopping.set()
