"""OpenAPI endpoints of the fake Zalo server and the route table (OAuth host paths included)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from tests.fakezalo_shapes import TOO_LONG, check_article, check_broadcast, check_cs, invalid
from tests.fakezalo_state import FakeState, Recorded, Reply, SentMessage, access_token, err, ok, permission

MAX_PAGE = 50
MAX_CONVERSATION_PAGE = 10
MAX_IMAGE_BYTES = 1024 * 1024
Route = Callable[[FakeState, Recorded], Reply]


def _ms(seconds: float) -> str:
    return str(int(seconds * 1000))


def send_cs(state: FakeState, req: Recorded) -> Reply:
    """1:1 customer-service send: shape first, then the recipient's follow status and 7-day window."""
    if problem := check_cs(req.json):
        return err(*problem)
    user_id = req.json["recipient"]["user_id"]
    with state.lock:
        if problem := state.reachability(user_id):
            return err(*problem)
        message_id = state.new_id()
        state.sent.append(SentMessage(user_id, message_id, req.json, req.time))
    return ok({"message_id": message_id, "user_id": user_id, "sent_time": _ms(req.time)})


def send_template(state: FakeState, req: Recorded) -> Reply:
    body = req.json if isinstance(req.json, dict) else {}
    for key, kind in (("user_id", str), ("template_id", str), ("template_data", dict)):
        if not isinstance(body.get(key), kind) or not body[key]:
            return err(*invalid(key))
    with state.lock:
        message_id = state.new_id()
    return ok({"message_id": message_id, "user_id": body["user_id"], "sent_time": _ms(req.time)})


def broadcast(state: FakeState, req: Recorded) -> Reply:
    """v2 message endpoint: only the article broadcast is alive; a v2 1:1 send gets -240."""
    body = req.json if isinstance(req.json, dict) else {}
    if isinstance(body.get("recipient"), dict) and "user_id" in body["recipient"]:
        return err(-240, "MessageV2 API has been shut down")
    if problem := check_broadcast(body):
        return err(*problem)
    with state.lock:
        return ok({"message_id": state.new_id()})


def article_create(state: FakeState, req: Recorded) -> Reply:
    if problem := check_article(req.json):
        return err(*problem)
    with state.lock:
        token = f"fake-article-token-{state.new_id()}"
        state.article_polls[token] = 0
    return ok({"token": token})


def article_verify(state: FakeState, req: Recorded) -> Reply:
    """Answers -214 for the first `article_pending_polls` polls of a token, then the article id."""
    token = req.json.get("token") if isinstance(req.json, dict) else None
    with state.lock:
        if token not in state.article_polls:
            return err(*invalid("token"))
        state.article_polls[token] += 1
        if state.article_polls[token] <= state.article_pending_polls:
            return err(-214, "Article is being processed")
    return ok({"id": hashlib.sha256(token.encode()).hexdigest()[:20]})


def upload(state: FakeState, req: Recorded) -> Reply:
    """Multipart `file` upload; images over 1 MB are refused like Zalo does."""
    if "file" not in req.files or not req.files["file"][1]:
        return err(*invalid("file"))
    kind = req.path.rsplit("/", 1)[1]
    if kind == "image" and len(req.files["file"][1]) > MAX_IMAGE_BYTES:
        return err(*TOO_LONG)
    with state.lock:
        new_id = state.new_id()
    return ok({"token": new_id} if kind == "file" else {"attachment_id": new_id})


def quota(state: FakeState, req: Recorded) -> Reply:
    """Per-user: last interaction in ms (reference §7); otherwise a reply-quota object (§3.4)."""
    user_id = req.json.get("user_id") if isinstance(req.json, dict) else None
    if user_id is None:
        return ok({"quota_type": "reply", "remain": "8", "total": "8"})
    with state.lock:
        user = state.users.get(user_id)
        last = user.last_interaction if user else time.time()
    return ok({"user_id": user_id, "last_interaction": _ms(last)})


def _query_data(req: Recorded) -> dict[str, Any] | None:
    try:
        data = req.data
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def user_list(state: FakeState, req: Recorded) -> Reply:
    data = _query_data(req)
    if data is None:
        return err(*invalid("data"))
    offset, count = data.get("offset", 0), data.get("count", MAX_PAGE)
    if not isinstance(offset, int) or not isinstance(count, int) or offset < 0 or count < 1:
        return err(*invalid("offset/count"))
    if count > MAX_PAGE:
        return err(*TOO_LONG)
    with state.lock:
        followers = state.followers()
    page = [{"user_id": uid} for uid in followers[offset:offset + count]]
    return ok({"total": len(followers), "count": len(page), "offset": offset, "users": page})


def user_detail(state: FakeState, req: Recorded) -> Reply:
    user_id = (_query_data(req) or {}).get("user_id")
    with state.lock:
        user = state.users.get(user_id) if isinstance(user_id, str) else None
        if user is None and not (state.allow_unknown_users and isinstance(user_id, str) and user_id):
            return err(*invalid("user_id"))
    follower, last = (user.follower, user.last_interaction) if user else (True, time.time())
    return ok({
        "user_id": user_id,
        "user_id_by_app": str(int(hashlib.sha256(user_id.encode()).hexdigest()[:15], 16)),
        "display_name": f"Người dân {user_id[-4:]}",
        "user_alias": "",
        "user_last_interaction_date": time.strftime("%d/%m/%Y", time.localtime(last)),
        "user_is_follower": follower,
        "avatar": "https://example.invalid/avatar.jpg",
        "tags_and_notes_info": {"notes": [], "tag_names": []},
        "shared_info": {"address": "", "city": "", "district": "", "phone": "", "name": ""},
    })


def conversation(state: FakeState, req: Recorded) -> Reply:
    """The OA's messages with one user, newest first: what the OA sent (`src` 0, recorded per user
    from accepted `/cs` sends) and what the user wrote (`src` 1). Shape as read by public clients of
    `GET /v2.0/oa/conversation` (see campaigns/README.md); at most 10 per call."""
    data = _query_data(req)
    if data is None or not isinstance(data.get("user_id"), str):
        return err(*invalid("user_id"))
    offset, count = data.get("offset", 0), data.get("count", 10)
    if not isinstance(offset, int) or not isinstance(count, int) or offset < 0 or count < 1:
        return err(*invalid("offset/count"))
    if count > MAX_CONVERSATION_PAGE:
        return err(*TOO_LONG)
    user_id = data["user_id"]
    with state.lock:
        items = [(s.time, 0, s.message_id, str(s.body["message"].get("text") or ""))
                 for s in state.sent if s.user_id == user_id]
        items += [(at, 1, mid, text) for uid, mid, text, at in state.inbound if uid == user_id]
    items.sort(key=lambda item: item[0], reverse=True)
    oa, user = (state.oa_id, "UBND tỉnh (giả lập)"), (user_id, f"Người dân {user_id[-4:]}")
    page = []
    for at, src, message_id, text in items[offset:offset + count]:
        (from_id, from_name), (to_id, to_name) = (oa, user) if src == 0 else (user, oa)
        page.append({"src": src, "time": int(at * 1000), "sent_time": time.strftime("%H:%M:%S %d/%m/%Y", time.localtime(at)),
                     "from_id": from_id, "from_display_name": from_name, "from_avatar": "",
                     "to_id": to_id, "to_display_name": to_name, "to_avatar": "",
                     "message_id": message_id, "type": "text", "message": text})
    return ok(page)


def oa_info(state: FakeState, req: Recorded) -> Reply:
    with state.lock:
        followers = len(state.followers())
    return ok({"oaid": state.oa_id, "name": "UBND tỉnh (giả lập)", "is_verified": True,
               "package_name": "Premium", "num_follower": followers})


# (method, path) → (endpoint, needs the access_token header)
ROUTES: dict[tuple[str, str], tuple[Route, bool]] = {
    ("GET", "/v4/oa/permission"): (permission, False),
    ("POST", "/v4/oa/access_token"): (access_token, False),
    ("POST", "/v3.0/oa/message/cs"): (send_cs, True),
    ("POST", "/v3.0/oa/message/template"): (send_template, True),
    ("POST", "/v2.0/oa/message"): (broadcast, True),
    ("POST", "/v2.0/article/create"): (article_create, True),
    ("POST", "/v2.0/article/verify"): (article_verify, True),
    ("POST", "/v2.0/oa/upload/image"): (upload, True),
    ("POST", "/v2.0/oa/upload/gif"): (upload, True),
    ("POST", "/v2.0/oa/upload/file"): (upload, True),
    ("POST", "/v2.0/oa/quota/message"): (quota, True),
    ("POST", "/v3.0/oa/quota/message"): (quota, True),
    ("GET", "/v3.0/oa/user/getlist"): (user_list, True),
    ("GET", "/v3.0/oa/user/detail"): (user_detail, True),
    ("GET", "/v2.0/oa/getoa"): (oa_info, True),
    ("GET", "/v2.0/oa/conversation"): (conversation, True),
}
