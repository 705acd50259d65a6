"""Builds the parts every entry point needs, once and cheaply: the migrated storage, the Zalo
client (real or sandbox) and the outbox. The long-running process (bot/runtime.py) adds the
knowledge base, the core and the background jobs on top; a command that does not answer
questions (`tickets reply`, `followers sync`, `campaigns …`) stops here and never indexes the
knowledge base."""

from __future__ import annotations

from typing import Any

from bot.config import Config
from bot.outbox import Outbox
from bot.storage import Storage
from bot.zalo import SandboxZalo, ZaloClient
from bot.zalo.tokens import TokenManager


def open_storage(config: Config) -> Storage:
    """The configured database, migrated to the current schema."""
    storage = Storage(config.database)
    storage.migrate()
    return storage


def token_manager(config: Config, storage: Storage) -> TokenManager:
    """The OA access tokens, seeded from the environment the first time."""
    tokens = TokenManager(storage, config.secrets, config.zalo)
    tokens.seed_from_environment()
    return tokens


def zalo_client(config: Config, storage: Storage, *, sandbox: bool | None = None,
                tokens: TokenManager | None = None) -> Any:
    """The real client when credentials are set (or `sandbox=False`), else the sandbox, which
    records what would be sent. The one place that makes this choice."""
    if config.secrets.sandbox if sandbox is None else sandbox:
        return SandboxZalo()
    return ZaloClient(config.zalo, tokens or token_manager(config, storage))


def outbox(config: Config, storage: Storage, zalo: Any | None = None) -> Outbox:
    """Where replies to citizens are recorded and sent from."""
    return Outbox(storage, zalo if zalo is not None else zalo_client(config, storage), config.secrets.log_key)
