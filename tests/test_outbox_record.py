"""`Outbox.record` returns the ids of the rows it wrote: callers that deliver at once (staff
replies, surveys) send exactly those rows, without looking for them by `max(id)`."""

from __future__ import annotations

import json

from bot.outbox import Outbox
from bot.storage import Storage


def test_record_returns_the_rows_it_wrote_and_nothing_on_a_replay(tmp_path) -> None:
    storage = Storage(tmp_path / "bot.sqlite")
    storage.migrate()
    first, second = {"text": "Phần 1"}, {"text": "Phần 2"}
    with storage.transaction() as db:
        ids = Outbox.record(db, "u1", [first, second], inbox_id=7)
        staff = Outbox.record(db, "u1", [{"text": "Cán bộ trả lời"}], purpose="staff_reply")
    with storage.transaction() as db:
        replay = Outbox.record(db, "u1", [first, second], inbox_id=7)  # the same event handled again
        rows = {row[0]: (json.loads(row[1]), row[2]) for row in db.execute("SELECT id, body, purpose FROM outgoing")}
    assert [rows[i] for i in ids] == [(first, "reply"), (second, "reply")]
    assert [rows[i] for i in staff] == [({"text": "Cán bộ trả lời"}, "staff_reply")]
    assert replay == [] and len(rows) == 3
