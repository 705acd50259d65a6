"""YAML with line numbers, for `file:line` errors officers can act on.

Dates stay text (the implicit timestamp type is switched off) so that every time in a campaign
is read by one parser with an explicit time zone, never as a naive or UTC datetime by PyYAML.
"""

from __future__ import annotations

from typing import Any

from yaml.nodes import MappingNode, Node, SequenceNode

from bot import safeyaml

Path = tuple[Any, ...]
TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Loader(safeyaml.Loader):
    """The safe loader (with its limits) without implicit timestamps."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP]
    for first, resolvers in safeyaml.Loader.yaml_implicit_resolvers.items()
}


class CampaignError(Exception):
    """Campaign files that cannot be used; `problems` are `file:line: message` strings."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class Problems:
    """Collects problems for one source, each placed at the line of the offending value."""

    def __init__(self, source: str, lines: dict[Path, int] | None = None):
        self.source = source
        self.lines = lines or {}
        self.items: list[str] = []

    def add(self, path: Path, message: str) -> None:
        line = 0
        for depth in range(len(path), -1, -1):
            line = self.lines.get(path[:depth], 0)
            if line:
                break
        self.items.append(f"{self.source}:{line}: {message}" if line else f"{self.source}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise CampaignError(self.items)


def read_yaml(text: str, source: str) -> tuple[Any, Problems]:
    """The document and a Problems bound to its lines; syntax errors and repeated keys are reported."""
    problems = Problems(source)
    try:
        data, node = safeyaml.load_with_node(text, _Loader)
    except safeyaml.YAMLInputError as exc:
        problems.lines[()] = exc.line
        problems.add((), exc.message)
        return None, problems
    if node is not None:
        _index(node, (), problems)
    return data, problems


def _index(node: Node, path: Path, problems: Problems) -> None:
    problems.lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            name = key.value
            if name in seen:
                problems.lines[path + (name,)] = key.start_mark.line + 1
                problems.add(path + (name,), f"trường `{name}` được viết hai lần; YAML chỉ giữ lần cuối")
            seen.add(name)
            _index(value, path + (name,), problems)
            problems.lines[path + (name,)] = key.start_mark.line + 1  # point at the key, not the value's first line
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, path + (i,), problems)

