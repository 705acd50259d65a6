"""The import graph points one way: interfaces (app, admin/, console/, the command line, handlers)
→ services → the owners of tables → storage. Read from the source with ast, so a new edge the
wrong way fails here rather than as an import cycle at start-up.

- bot/ never imports the layers above it (app, admin, console, handlers). Two composition roots
  are the exceptions: bot/__main__.py hands `app.create_app` to `serve`, and bot/runtime.py plugs
  the dispatch table (handlers.dispatch) into the core.
- bot/matcher/ never imports bot/knowledge/ (the records both use are in bot/kb_model.py).
- A handler never imports another handler module: shared helpers (buttons, command phrases, flow
  labels) live in bot/. The sub-dispatch tables that route to other handlers by design, and the
  few handlers that still call a neighbour, are listed below; the list may only shrink.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UPPER = ("app", "admin", "console", "handlers")
COMPOSITION_ROOTS = {"bot/__main__.py": {"app"}, "bot/runtime.py": {"handlers"}}
HANDLER_EDGES = {  # handler → handlers it calls; routers first, then the calls left to move out
    "handlers/__init__.py": {"*"},  # the dispatch table
    "handlers/commands.py": {"feedback", "handoff", "menu", "privacy", "subscriptions", "ticket_status"},
    "handlers/payload.py": {"commands", "faq", "feedback", "handoff", "menu", "privacy", "ratings", "subscriptions",
                            "survey", "ticket_status"},
    "handlers/complaints.py": {"feedback"},  # a complaint typed out starts the feedback flow
    "handlers/faq.py": {"ratings"},  # answers carry the rating buttons
    "handlers/follow.py": {"menu"},  # a new follower gets the welcome menu
    "handlers/notquestion.py": {"menu"},
}


def imported(path: Path) -> set[str]:
    """Dotted names a module imports (`from handlers import menu` → handlers.menu), lazy ones too."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    return names


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_bot_never_imports_the_layers_above_it() -> None:
    wrong = {}
    for path in modules("bot"):
        upper = {name.split(".")[0] for name in imported(path)} & set(UPPER)
        extra = upper - COMPOSITION_ROOTS.get(rel(path), set())
        if extra:
            wrong[rel(path)] = sorted(extra)
    assert not wrong, f"bot/ is the core: pass what it needs in instead of importing it: {wrong}"


def test_handlers_do_not_import_each_other() -> None:
    handler_names = {p.stem for p in modules("handlers")} - {"__init__"}
    wrong = {}
    for path in modules("handlers"):
        used = {name.split(".")[1] for name in imported(path) if name.startswith("handlers.")} & handler_names
        allowed = HANDLER_EDGES.get(rel(path), set())
        if "*" not in allowed and used - allowed:
            wrong[rel(path)] = sorted(used - allowed)
    assert not wrong, f"a handler imports another handler; put the shared helper in bot/: {wrong}"


def test_the_listed_edges_still_exist() -> None:
    """The allowance list only shrinks: an edge that is gone must leave the list."""
    for module, allowed in HANDLER_EDGES.items():
        if "*" in allowed:
            continue
        used = {name.split(".")[1] for name in imported(ROOT / module) if name.startswith("handlers.")}
        assert allowed <= used, f"{module} no longer imports {sorted(allowed - used)}: remove it from HANDLER_EDGES"


def test_services_and_stores_do_not_import_interfaces() -> None:
    """Services and the per-citizen stores sit below every interface, the command line included."""
    wrong = {rel(p): sorted(n for n in imported(p) if n.startswith(("bot.cli", "bot.runtime")))
             for folder in ("bot/services", "bot/conversations") for p in modules(folder)}
    assert not {k: v for k, v in wrong.items() if v}, wrong


def test_the_web_interfaces_do_not_import_the_command_line() -> None:
    """admin/ and console/ are thin adapters over the same services as bot/cli/, not over bot/cli/.
    Left: the console's "thử hỏi" shows `ask --json`'s record (to move into bot/ with ask.py)."""
    allowed = {"console/knowledge.py": {"bot.cli.ask", "bot.cli.ask.as_record"}}
    wrong = {rel(p): sorted(n for n in imported(p) if n.startswith("bot.cli") and n not in allowed.get(rel(p), set()))
             for folder in ("admin", "console") for p in modules(folder)}
    assert not {k: v for k, v in wrong.items() if v}, wrong


def test_the_matcher_does_not_import_the_knowledge_package() -> None:
    """knowledge → matcher, never back: both share the records in bot/kb_model.py."""
    wrong = {rel(p): sorted(n for n in imported(p) if n.startswith("bot.knowledge")) for p in modules("bot/matcher")}
    assert not {k: v for k, v in wrong.items() if v}, wrong


def test_the_command_line_works_without_the_web_app_imported() -> None:
    """`serve` receives the app factory from the entry point (bot/__main__.py)."""
    assert "app" not in {name.split(".")[0] for name in imported(ROOT / "bot/cli/serve.py")}


def test_only_the_wiring_builds_storage_and_the_zalo_client() -> None:
    """`Storage(...)` + migrate, the token manager, the real-or-sandbox choice and the outbox are
    built in bot/wiring.py only, for every entry point (the chat, always a sandbox, says so itself)."""
    built = ("Storage", "TokenManager", "ZaloClient", "SandboxZalo", "Outbox")
    allowed = {"bot/wiring.py": set(built), "bot/cli/chat.py": {"SandboxZalo"}}
    wrong = {}
    for path in [ROOT / "app.py", *(p for folder in ("bot", "admin", "console", "handlers") for p in modules(folder))]:
        calls = {node.func.id for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in built}
        if calls - allowed.get(rel(path), set()):
            wrong[rel(path)] = sorted(calls - allowed.get(rel(path), set()))
    assert not wrong, f"build these through bot/wiring.py: {wrong}"
