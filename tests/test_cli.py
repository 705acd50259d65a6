"""The command line: help everywhere, config validated by name, and the sandbox chat."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from bot.cli import build_parser, main
from bot.config import ConfigError, load_config
from tests.harness import REPO


def _command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths += _command_paths(sub, prefix + (name,))
    return paths


@pytest.mark.parametrize("path", _command_paths(build_parser()), ids=lambda p: " ".join(p) or "bot")
def test_every_command_has_help(path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*path, "--help"])
    assert exit_.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_help_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "bot", "--help"], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "serve" in result.stdout and "chat" in result.stdout


@pytest.mark.parametrize("content, key", [
    ("server:\n  port: eighty\n", "server.port"),
    ("agency:\n  hotlin: '1900'\n", "agency.hotlin"),
    ("matcher: 3\n", "matcher"),
    ("server:\n  threads: -1\n", "server.threads"),
])
def test_config_errors_name_the_key(tmp_path, content, key):
    path = tmp_path / "config.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(path, env={})


def test_secrets_are_refused_in_config_and_read_from_environment(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("secrets:\n  app_secret: x\n")
    with pytest.raises(ConfigError, match="environment"):
        load_config(path, env={})
    path.write_text("database: a.db\n")
    config = load_config(path, env={"ZALO_APP_SECRET": "s3cret", "BOT_DATABASE": "b.db", "ZALO_API_BASE": "http://127.0.0.1:9"})
    assert config.secrets.app_secret == "s3cret" and "s3cret" not in repr(config)
    assert config.database == "b.db" and config.zalo.api_base == "http://127.0.0.1:9"


def test_shipped_config_is_valid_and_defaults_to_sandbox():
    config = load_config(REPO / "config.yaml", env={})
    assert config.secrets.sandbox and config.timezone == "Asia/Ho_Chi_Minh"


def test_sandbox_chat_answers_through_the_pipeline(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "BOT_"))}
    env.update(BOT_DATABASE=str(tmp_path / "chat.sqlite3"), BOT_KNOWLEDGE=str(REPO / "tests" / "data" / "spine_kb"))
    result = subprocess.run([sys.executable, "-m", "bot", "chat", "--database", str(tmp_path / "chat.sqlite3")],
                            cwd=REPO, env=env, input="dang ky tam tru\n", capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Xin chào" in result.stdout
    assert "Công an cấp xã" in result.stdout
    import sqlite3
    with sqlite3.connect(tmp_path / "chat.sqlite3") as db:
        statuses = {row[0] for row in db.execute("SELECT status FROM outgoing")}
    assert statuses == {"sandbox"}


@pytest.mark.parametrize("pointed_at_live", [False, True])
def test_chat_leaves_the_live_database_alone(tmp_path, pointed_at_live):
    """By default a chat has its own database; pointed at the live one, it still leaves a pending
    webhook event to the real worker instead of answering it into the sandbox."""
    import json

    from bot.events import parse_event
    from bot.inbox import Inbox
    from bot.storage import Storage
    from tests.harness import text_event

    storage = Storage(tmp_path / "live.sqlite3")
    storage.migrate()
    citizen = text_event("citizen-1", "dang ky tam tru")
    Inbox(storage).add(parse_event(citizen), json.dumps(citizen))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "BOT_"))}
    env.update(BOT_DATABASE=str(tmp_path / "live.sqlite3"), BOT_KNOWLEDGE=str(REPO / "tests" / "data" / "spine_kb"))
    command = [sys.executable, "-m", "bot", "chat"] + (["--database", str(tmp_path / "live.sqlite3")] if pointed_at_live else [])
    result = subprocess.run(command, cwd=REPO, env=env, input="dang ky tam tru\n", capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "Công an cấp xã" in result.stdout
    with storage.connect() as db:
        assert db.execute("SELECT status FROM inbox WHERE user_id = 'citizen-1'").fetchone() == ("pending",)
        assert db.execute("SELECT count(*) FROM outgoing WHERE user_id = 'citizen-1'").fetchone() == (0,)
        followers = db.execute("SELECT count(*) FROM users WHERE user_id = 'sandbox-user'").fetchone()
    assert followers == ((1,) if pointed_at_live else (0,))  # the chat follows as sandbox-user


def test_serve_on_a_taken_port_says_how_to_choose_another(tmp_path):
    """`make run` while another server holds the port: a message, no traceback, no worker left behind."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "BOT_"))}
        env.update(BOT_DATABASE=str(tmp_path / "bot.sqlite3"), BOT_KNOWLEDGE=str(REPO / "tests" / "data" / "spine_kb"),
                   BOT_PORT=str(port))
        result = subprocess.run([sys.executable, "-m", "bot", "serve"], cwd=REPO, env=env, capture_output=True,
                                text=True, timeout=60)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in result.stderr
    assert "make run PORT=8090" in result.stderr and "BOT_PORT" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_bot_port_in_the_environment_sets_the_port(tmp_path):
    assert load_config(REPO / "config.yaml", env={"BOT_PORT": "8090"}).server.port == 8090
    with pytest.raises(ConfigError, match=r"server\.port"):
        load_config(REPO / "config.yaml", env={"BOT_PORT": "tám"})
