"""`python -m bot chat`: talk to the bot in the terminal through the same pipeline as the webhook.

Each line becomes a `user_send_text` event in the inbox, is processed by the core and its
replies are recorded in the outbox (sandbox: nothing is sent to Zalo, whatever credentials are
set) and printed. Buttons are numbered: type the number to click one.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
import uuid
from pathlib import Path

from bot.config import load_config
from bot.events import parse_event
from bot.inbox import InboxItem
from bot.runtime import Runtime
from bot.zalo import SandboxZalo

PROMPT = "bạn> "


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("chat", help="chat with the bot in the terminal (sandbox)", description=__doc__)
    parser.add_argument("--user", default="sandbox-user", help="the citizen id to chat as (default: sandbox-user)")
    parser.add_argument("--database", help="SQLite file for the conversation (default: beside the configured "
                                           "database, with -chat added to its name, so a test chat never joins "
                                           "the real followers or tickets)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.verbose:
        logging.getLogger().setLevel(logging.WARNING)  # keep the conversation readable
    config = load_config()
    database = args.database or str(Path(config.database).with_stem(Path(config.database).stem + "-chat"))
    runtime = Runtime(dataclasses.replace(config, database=database), zalo=SandboxZalo(), sandbox=True)
    print("Trò chuyện với trợ lý ảo (gõ 'thoát' hoặc Ctrl-D để kết thúc).")
    print(f"Cuộc trò chuyện được ghi vào {database}; xem lại câu bot chưa trả lời được: "
          f"python -m bot kb unanswered --database {database}")
    buttons: list[str] = []
    _send(runtime, args.user, "follow", "", buttons)
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            print(PROMPT, end="", flush=True)
        line = sys.stdin.readline()
        if not line or line.strip().lower() in ("thoát", "thoat", "exit", "quit"):
            return 0
        text = line.strip()
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]
        if text:
            _send(runtime, args.user, "user_send_text", text, buttons)


def _send(runtime: Runtime, user_id: str, name: str, text: str, buttons: list[str]) -> None:
    payload: dict = {"event_name": name, "app_id": "sandbox", "timestamp": str(int(time.time() * 1000))}
    if name == "follow":
        payload["follower"] = {"id": user_id}
    else:
        payload["sender"] = {"id": user_id}
        payload["message"] = {"text": text, "msg_id": uuid.uuid4().hex}
    event = parse_event(payload)
    # Status "chat": no worker claims it, and this command touches no other event, so even a chat
    # pointed at a live database (--database) neither steals citizens' events nor sends to Zalo.
    runtime.inbox.add(event, json.dumps(payload, ensure_ascii=False), status="chat")
    item_id = runtime.inbox.id_of(event.dedupe_key)
    runtime.processor.process(InboxItem(item_id, payload, "chat"))
    buttons.clear()
    for message in runtime.outbox.messages_for_event(item_id):
        print(_render(message, buttons))


def _render(message: dict, buttons: list[str]) -> str:
    lines = ["bot> " + message.get("text", "").replace("\n", "\n     ")]
    payload = message.get("attachment", {}).get("payload", {})
    for button in payload.get("buttons", []):
        target = button["payload"]
        buttons.append(target if isinstance(target, str) else "")
        shown = target if isinstance(target, str) else next(iter(target.values()), "")
        lines.append(f"     [{len(buttons)}] {button['title']}" + ("" if isinstance(target, str) else f" → {shown}"))
    return "\n".join(lines)
