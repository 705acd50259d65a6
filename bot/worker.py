"""Background processing of the inbox: event → handlers → recorded replies → delivery.

Replies are recorded in the same transaction that marks the event `replying`, so after a crash
or an error the event is not handled again (no second answer); only its undelivered replies are
sent, and a reply cut off mid-send is recorded as ambiguous rather than repeated.
"""

from __future__ import annotations

import logging
import threading

from bot.core import Bot
from bot.events import EventError, parse_event
from bot.inbox import Inbox, InboxItem, mark_replying
from bot.log_ids import user_ref
from bot.outbox import Outbox
from bot.storage import Storage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
POLL_SECONDS = 0.1  # also picks up events another process (the web front) stored


class Processor:
    def __init__(self, bot: Bot, storage: Storage, inbox: Inbox, outbox: Outbox):
        self.bot = bot
        self.storage = storage
        self.inbox = inbox
        self.outbox = outbox

    def run_once(self) -> bool:
        """Process one event if any is waiting; False when the inbox is empty."""
        item = self.inbox.claim()
        if item is None:
            return False
        try:
            self.process(item)
        except Exception as exc:  # the one boundary: log, record, and keep the worker alive
            log.exception("event %d failed", item.id)
            if self.inbox.attempts(item.id) >= MAX_ATTEMPTS:
                self.inbox.mark(item.id, "failed", error=type(exc).__name__)
            # Otherwise the claim stays as it is ('processing', or 'replying' once replies are
            # recorded, so handlers never run twice) and is taken again when its lease runs out:
            # that is the retry, with the lease as its back-off.
        return True

    def process(self, item: InboxItem) -> None:
        try:
            event = parse_event(item.payload)
        except EventError as exc:
            self.inbox.mark(item.id, "failed", error=str(exc))
            return
        if item.status == "replying":
            if self.outbox.mark_interrupted(item.id):
                log.warning("event %d: a reply was cut off by a stop; recorded as ambiguous, not resent", item.id)
        else:
            replies = self.bot.handle(event)
            messages = [message for reply in replies for message in reply.to_messages()]
            with self.storage.transaction() as db:
                if messages and event.user_id:
                    Outbox.record(db, event.user_id, messages, inbox_id=item.id)
                mark_replying(db, item.id)
            log.info("event %d %s from %s: %d message(s)", item.id, event.name,
                     user_ref(event.user_id, self.outbox.log_key), len(messages))
        self.outbox.deliver_for_event(item.id)
        self.inbox.mark(item.id, "done")


class InboxWorkers:
    """A few daemon threads draining the inbox; woken by the webhook, polling as a fallback
    for events written by other processes."""

    def __init__(self, processor: Processor, count: int):
        self.processor = processor
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, name=f"inbox-{i}", daemon=True) for i in range(count)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self.wake.set()
        for thread in self.threads:
            if thread.ident is not None:  # started
                thread.join(timeout)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                if self.processor.run_once():
                    continue
            except Exception:  # e.g. a database locked past its timeout while claiming: wait, go on
                log.exception("inbox worker error; retrying in a second")
                self.stopping.wait(1.0)
                continue
            self.wake.wait(POLL_SECONDS)
            self.wake.clear()
