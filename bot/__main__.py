"""`python -m bot <command>`: see `python -m bot --help`.

The process entry point, and the one module under bot/ that knows the web app: it hands
`app.create_app` to the command line for `serve`, so the import graph stays one-way
(app → admin/console → bot)."""

import sys

from bot.cli import main


def create_app(config):  # type: ignore[no-untyped-def]
    """The web app, imported only when `serve` builds it."""
    from app import create_app as factory

    return factory(config)


if __name__ == "__main__":
    sys.exit(main(app_factory=create_app))
