"""bot/schema.py reads in the order a database applies it: the list order, which is what counts
(each database records applied names in `schema_migrations`), and the definitions follow it."""

from __future__ import annotations

import ast
from pathlib import Path

from bot import schema
from bot.storage import Storage

SOURCE = Path(schema.__file__)


def test_definitions_appear_in_the_order_migrations_are_applied() -> None:
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    defined = [node.targets[0].id for node in tree.body
               if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
               and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)]
    listed = [_constant_named(sql) for _, sql in schema.MIGRATIONS]
    assert defined == listed


def test_a_new_database_records_the_migrations_in_list_order(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "bot.sqlite3")
    storage.migrate()
    with storage.connect() as db:
        applied = [row[0] for row in db.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
    assert applied == [name for name, _ in schema.MIGRATIONS]
    assert len(set(applied)) == len(applied)


def _constant_named(sql: str) -> str:
    return next(name for name, value in vars(schema).items() if value is sql and name.isupper())
