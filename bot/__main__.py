"""`python -m bot <command>`: see `python -m bot --help`.

The process entry point, and the one module under bot/ that knows the web app: it hands
`app.create_app` to the command line for `serve`, so the import graph stays one-way
(app → admin/console → bot)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from bot.cli import main
from bot.config import Config

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Config) -> Flask:
    """The web app, imported only when `serve` builds it."""
    from app import create_app as factory

    return factory(config)


if __name__ == "__main__":
    sys.exit(main(app_factory=create_app))
