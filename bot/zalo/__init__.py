"""Everything that talks to Zalo: one HTTP chokepoint, token lifecycle, message bodies, sandbox."""

from bot.zalo.client import ZaloClient
from bot.zalo.errors import ErrorKind, ZaloError
from bot.zalo.sandbox import SandboxZalo

__all__ = ["ErrorKind", "SandboxZalo", "ZaloClient", "ZaloError"]
