"""Every table is written only by its owner module and read only by its owner or a declared
reader: the map lives once, in docs/storage.md, and this test holds the source to it. And only
bot/storage.py talks to the database engine itself.

Why: the durability rules of a table (claims, compare-and-set, one transaction per step) are only
as strong as the weakest copy of its SQL, and a second database backend should be a change to
bot/storage.py and the owners' SQL, nothing else. A new query outside the owner fails here; so
does a declared reader that no longer reads (the list only shrinks).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("bot", "admin", "handlers", "console")  # console/ joins the scan once it exists
SCHEMA = "bot/schema.py"  # the CREATE TABLE statements themselves
STORAGE = "bot/storage.py"


def _doc_rows(heading: str) -> list[list[str]]:
    """Rows of the markdown table under `## heading` in docs/storage.md, cells without backticks."""
    text = (ROOT / "docs" / "storage.md").read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]  # skip header and rule
    return [[cell.strip().replace("`", "") for cell in row.strip("|").split("|")] for row in rows]


def _modules(cell: str) -> set[str]:
    return {m.strip() for m in cell.split(",") if m.strip() and m.strip() != "—"}


def table_map() -> dict[str, tuple[set[str], set[str]]]:
    """table → (owner modules, declared read-only readers), from docs/storage.md."""
    return {table: (_modules(owner), _modules(readers))
            for table, owner, readers, *_ in _doc_rows("Tables and their owners")}


def tables() -> list[str]:
    return re.findall(r"CREATE TABLE (\w+)", (ROOT / SCHEMA).read_text(encoding="utf-8"))


def sources() -> dict[str, str]:
    files = [ROOT / "app.py"] + [p for d in SCANNED if (ROOT / d).is_dir() for p in sorted((ROOT / d).rglob("*.py"))]
    return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in files}


def writes(table: str) -> re.Pattern[str]:
    """SQL (upper-case keywords, as the house writes it) changing the table."""
    return re.compile(rf"\b(?:INTO|UPDATE|DELETE\s+FROM|TABLE)\s+{table}\b")


def mentions(table: str) -> re.Pattern[str]:
    """Any SQL or sqlite-utils access naming the table."""
    return re.compile(rf"\b(?:FROM|INTO|UPDATE|JOIN|TABLE)\s+{table}\b|\.table\(\s*[\"']{table}[\"']"
                      rf"|db\[[\"']{table}[\"']\]")


def test_the_map_lists_every_table_and_existing_modules() -> None:
    mapped = table_map()
    assert sorted(mapped) == sorted(tables()), "docs/storage.md must list exactly the tables of bot/schema.py"
    for table, (owners, readers) in mapped.items():
        assert len(owners) == 1, f"{table}: one owner module, not {sorted(owners)}"
        for module in owners | readers:
            assert (ROOT / module).is_file(), f"{table}: {module} does not exist"


def test_only_the_owner_writes_a_table() -> None:
    found = sorted((table, module) for module, text in sources().items() if module != SCHEMA
                   for table, (owners, _) in table_map().items() if module not in owners and writes(table).search(text))
    assert not found, f"a table written outside its owner: add a function to the owner instead (docs/storage.md): {found}"


def test_only_the_owner_and_declared_readers_read_a_table() -> None:
    found = sorted((table, module) for module, text in sources().items() if module != SCHEMA
                   for table, (owners, readers) in table_map().items()
                   if module not in owners | readers and mentions(table).search(text))
    assert not found, f"a table read outside its owner: add a function to the owner instead (docs/storage.md): {found}"


def test_declared_readers_still_read() -> None:
    code = sources()
    stale = sorted((table, module) for table, (_, readers) in table_map().items() for module in readers
                   if not mentions(table).search(code[module]))
    assert not stale, f"remove these readers from docs/storage.md, they no longer read the table: {stale}"


VECTOR_CACHE = "bot/matcher/semantic.py"  # its own cache file of phrasing vectors, never the bot's database


def test_only_storage_talks_to_the_engine() -> None:
    """Connections, transactions, PRAGMAs and the driver stay in bot/storage.py (the seam for a second backend)."""
    engine = re.compile(r"^\s*(?:import|from)\s+sqlite(?:3|_utils)\b|\.conn\b|[\"'](?:PRAGMA|BEGIN|COMMIT|ROLLBACK)\b",
                        re.MULTILINE)
    found = sorted(module for module, text in sources().items()
                   if module not in (STORAGE, VECTOR_CACHE) and engine.search(text))
    assert not found, f"engine specifics outside bot/storage.py: {found}"


def test_the_scan_sees_sql_and_not_prose() -> None:
    assert writes("outgoing").search('"INSERT OR IGNORE INTO outgoing (inbox_id)"')
    assert writes("inbox").search('db.execute("UPDATE inbox SET status = ?")')
    assert not writes("inbox").search('"SELECT id FROM inbox WHERE id = ?"')
    assert mentions("users").search('" LEFT JOIN users u ON u.user_id = d.user_id"')
    assert not mentions("inbox").search('"""Messages read from inbox rows by the worker."""')
