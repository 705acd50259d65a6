"""Pace and pause a campaign's sending threads together.

`Pacer` spaces requests evenly at the configured rate (no bursts), shared by every thread so
the rate holds whatever the concurrency. `Backoff` is one gate for the whole campaign: a -32
(Zalo's rate limit is per app) or a transient failure seen by any thread closes it for a
jittered, growing delay, and every thread waits — retrying from each thread on its own schedule
would keep hitting the limit.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable


class Pacer:
    def __init__(self, rate_per_second: float, clock: Callable[[], float] = time.monotonic):
        self.interval = 1.0 / rate_per_second if rate_per_second > 0 else 0.0
        self.clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self, stop: threading.Event) -> None:
        """Block until this caller's slot; returns early when `stop` is set."""
        if not self.interval:
            return
        with self._lock:
            now = self.clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            stop.wait(slot - now)


class Backoff:
    def __init__(self, base_seconds: float, max_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.base = base_seconds
        self.max = max_seconds
        self.clock = clock
        self.failures = 0
        self._until = 0.0
        self._lock = threading.Lock()

    def trip(self) -> float:
        """Close the gate; failures in a row double the delay (jittered ±50 %, capped)."""
        with self._lock:
            self.failures += 1
            delay = min(self.max, self.base * 2 ** (self.failures - 1)) * random.uniform(0.5, 1.5)
            now = self.clock()
            until = max(self._until, now + delay)
            self._until = until
            return delay

    def success(self) -> None:
        if self.failures:
            with self._lock:
                self.failures = 0

    def wait(self, stop: threading.Event) -> None:
        while not stop.is_set():
            remaining = self._until - self.clock()
            if remaining <= 0:
                return
            stop.wait(remaining)
