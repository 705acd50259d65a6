"""A citizen's request to delete their data, Law 91/2025/QH15: typed in the chat ("xóa dữ liệu
của tôi") or sent by Zalo (`user_withdraw`).

Deleted: received messages, replies sent, answer log, ratings, subscriptions, tags, flow state,
handoffs, campaign delivery records and the citizen's row in `users`. Kept, with the link to the
person cut: the feedback tickets' subject and content (the agency must still handle them), and
the days already counted in the report (`report_people`, under a number no new citizen gets).
Kept instead of the Zalo id: a keyed hash in `forgotten_users`, so that a citizen who comes back,
or whom a follower import lists again, is `do_not_contact` again (`mark_if_forgotten`) rather than
put back into campaign audiences. The message being handled right now (and any not yet handled) is
left to the retention purge, unless it is named as `handled` (a withdrawal, which gets no reply);
a delivery being sent this instant stays too. docs/privacy.md is the citizen-facing account.
"""

from __future__ import annotations

from datetime import datetime

from bot import inbox, outbox
from bot.campaigns import audience, delivery
from bot.conversations import citizens, flood, flow_state, forgotten, handoffs, ratings, subscriptions, tickets
from bot.reports import rollup
from bot.storage import Storage


def erase(storage: Storage, user_id: str, now: datetime, *, handled: str = "") -> dict[str, int]:
    """Delete in one transaction (all or nothing), each table through its owner; returns how many
    rows of each kind went. `handled`: the dedupe key of the event asking for it, deleted too (it
    needs no reply)."""
    with storage.transaction() as db:
        counts = {
            "messages": inbox.erase_user(db, user_id),
            "replies": outbox.erase_user(db, user_id),
            "answers": ratings.erase_answers(db, user_id),
            "ratings": ratings.erase_ratings(db, user_id),
            "subscriptions": subscriptions.erase_user(db, user_id),
            "tags": audience.erase_tags(db, user_id),
            "state": flow_state.erase_user(db, user_id),
            "handoffs": handoffs.erase_user(db, user_id),
            "flood": flood.erase_user(db, user_id),
            "campaign_deliveries": delivery.erase_user(db, user_id),
        }
        if handled:
            counts["messages"] += inbox.erase_event(db, handled)
        tickets.fail_held_replies(db, user_id, "citizen deleted their data")
        counts["tickets"] = tickets.anonymise(db, "user_id = ?", [user_id], now)
        person = citizens.person_of(db, user_id)
        if person is not None:
            rollup.forget_person(db, person)  # the row number goes to the next new citizen: not their counted days
        counts["profile"] = citizens.erase_user(db, user_id)
        forgotten.remember(db, user_id, now)
    return counts
