"""Every table is read and written only by its owner module(s): the map lives once, in
docs/storage.md, and this test holds the source to it.

Why: the durability rules of a table (claims, compare-and-set, one transaction per step) are only
as strong as the weakest copy of its SQL, and a second database backend should have to be written
in the owners only. A new query outside the owner fails here; so does an exception in the doc that
no longer applies (the list of known exceptions only shrinks).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("bot", "admin", "handlers", "console")  # console/ joins the scan once it exists
NOT_SCANNED = {"bot/schema.py"}  # the CREATE TABLE statements themselves


def _doc_table(heading: str) -> list[list[str]]:
    """Rows of the markdown table under `## heading` in docs/storage.md, cells without backticks."""
    text = (ROOT / "docs" / "storage.md").read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]  # skip header and rule
    return [[cell.strip().replace("`", "") for cell in row.strip("|").split("|")] for row in rows]


def owners() -> dict[str, set[str]]:
    return {table: {m.strip() for m in modules.split(",")} for table, modules, *_ in _doc_table("Tables and their owners")}


def exceptions() -> set[tuple[str, str]]:
    return {(table, module) for table, module, *_ in _doc_table("Known exceptions")}


def tables() -> list[str]:
    return re.findall(r"CREATE TABLE (\w+)", (ROOT / "bot" / "schema.py").read_text(encoding="utf-8"))


def sources() -> list[Path]:
    files = [ROOT / "app.py"] + [p for d in SCANNED if (ROOT / d).is_dir() for p in sorted((ROOT / d).rglob("*.py"))]
    return [p for p in files if p.relative_to(ROOT).as_posix() not in NOT_SCANNED]


def sql_naming(table: str) -> re.Pattern[str]:
    """SQL (upper-case keywords, as the house writes it) or sqlite-utils access naming the table."""
    return re.compile(rf"\b(?:FROM|INTO|UPDATE|JOIN|TABLE)\s+{table}\b|\.table\(\s*[\"']{table}[\"']|db\[[\"']{table}[\"']\]")


def uses() -> set[tuple[str, str]]:
    found = set()
    for path in sources():
        text = path.read_text(encoding="utf-8")
        for table in tables():
            if sql_naming(table).search(text):
                found.add((table, path.relative_to(ROOT).as_posix()))
    return found


def test_every_table_has_an_owner_that_exists() -> None:
    mapped = owners()
    assert sorted(mapped) == sorted(tables()), "docs/storage.md must list exactly the tables of bot/schema.py"
    for table, modules in mapped.items():
        for module in modules:
            assert (ROOT / module).is_file(), f"{table}: owner {module} does not exist"


def test_no_sql_for_a_table_outside_its_owners() -> None:
    mapped = owners()
    outside = {(t, m) for t, m in uses() if m not in mapped[t]}
    unexplained = sorted(outside - exceptions())
    assert not unexplained, ("SQL for a table outside its owner: add a function to the owner instead "
                             f"(see docs/storage.md): {unexplained}")


def test_known_exceptions_still_apply() -> None:
    mapped = owners()
    outside = {(t, m) for t, m in uses() if m not in mapped[t]}
    stale = sorted(exceptions() - outside)
    assert not stale, f"remove these from the exceptions in docs/storage.md, they no longer apply: {stale}"


def test_the_scan_sees_sql() -> None:
    """The scanner itself: a query in the house's style is seen, prose is not."""
    assert sql_naming("inbox").search('db.execute("SELECT id FROM inbox WHERE id = ?")')
    assert sql_naming("outgoing").search('"INSERT OR IGNORE INTO outgoing (inbox_id)"')
    assert not sql_naming("inbox").search('"""Messages read from inbox rows by the worker."""')
