"""Placeholder until the matcher command lands (being written)."""


def register(subparsers):
    pass
