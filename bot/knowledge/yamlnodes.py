"""Read YAML as a node tree (bot/safeyaml: safe tags, limits) so every value keeps its line, its
style and the type YAML gave it.

Working from nodes instead of `safe_load` output is what lets validation say *where* a mistake
is, notice a key written twice (safe_load silently keeps the last one), and notice the values
YAML 1.1 quietly turns into something else when they are not quoted: `7:30` → 450 (base 60),
`0123` → 83 (octal), `no` → False.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot import safeyaml
from bot.knowledge.problems import ERROR, WARNING, Problem

STR = "tag:yaml.org,2002:str"
NULL = "tag:yaml.org,2002:null"

class NodeReader:
    """Reads one file's nodes and collects its problems, each with a line number."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.source = ""

    def report(self, where: Node | int, message: str, code: str, *, warning: bool = False, related: str = "") -> None:
        line = where if isinstance(where, int) else line_of(where)
        self.problems.append(Problem(self.file, line, message, code, WARNING if warning else ERROR, related))

    def compose(self, text: str) -> Node | None:
        """The document's root node, or None after reporting a syntax error with its line."""
        self.source = text
        try:
            return safeyaml.compose(text)
        except safeyaml.YAMLInputError as exc:
            self.report(exc.line or 1, exc.message, "yaml-syntax")
        return None

    def line_in(self, node: Node, needle: str) -> int:
        """The line where `needle` is written inside `node` (a long answer spans many lines)."""
        position = self.source.find(needle, node.start_mark.index, node.end_mark.index) if needle else -1
        return line_of(node) if position < 0 else self.source.count("\n", 0, position) + 1

    def mapping(self, node: Node, known: tuple[str, ...] | None, what: str) -> dict[str, tuple[ScalarNode, Node]] | None:
        """Key → (key node, value node); reports non-mappings, repeated keys and (unless `known`
        is None) unknown keys."""
        if not isinstance(node, MappingNode):
            self.report(node, f"{what} phải là một bảng các trường `tên: giá trị`, không phải {kind_of(node)}", "wrong-type")
            return None
        fields: dict[str, tuple[ScalarNode, Node]] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.report(key, f"tên trường trong {what} phải là chữ", "wrong-type")
                continue
            if key.value in fields:
                first = fields[key.value][0]
                self.report(key, f"trường `{key.value}` được viết hai lần; YAML chỉ giữ lần cuối", "duplicate-key",
                            related=f"{self.file}:{line_of(first)}")
            elif known is not None and key.value not in known:
                self.report(key, unknown_field_message(key.value, known, what), "unknown-field")
            fields[key.value] = (key, value)
        return fields

    def text(self, field: str, node: Node) -> str | None:
        """The text of a scalar exactly as written; None when empty (null) or not text."""
        if not isinstance(node, ScalarNode):
            self.report(node, f"`{field}` phải là một đoạn chữ, không phải {kind_of(node)}", "wrong-type")
            return None
        if node.tag == NULL:
            return None
        if node.tag != STR and not node.style:  # plain (libyaml says "", PyYAML None)
            converted = _construct(node)
            if not isinstance(converted, str) and str(converted) != node.value:
                self.report(node, f"YAML đọc `{node.value}` ở `{field}` thành {_describe(converted)}, không phải chữ: "
                                  f"hãy đặt trong dấu ngoặc kép, \"{node.value}\"", "not-text")
                return None
        return node.value

    def text_list(self, field: str, node: Node) -> list[tuple[str, int]]:
        """(text, line) of each non-empty item of a list of texts."""
        if isinstance(node, ScalarNode) and node.tag == NULL:
            return []
        if not isinstance(node, SequenceNode):
            self.report(node, f"`{field}` phải là danh sách, mỗi mục một dòng bắt đầu bằng `- `", "wrong-type")
            return []
        items = []
        for item in node.value:
            value = self.text(field, item)
            if value is None or not value.strip():
                if isinstance(item, ScalarNode) and (item.tag == NULL or not item.value.strip()):
                    self.report(item, f"`{field}` có một mục để trống", "empty-value")
                continue
            items.append((value.strip(), line_of(item)))
        return items


def yaml_scalar(text: str, *, flow: bool = False) -> str:
    """`text` as a one-line YAML value: plain when YAML reads it back unchanged, else double-quoted."""
    if flow and any(ch in text for ch in ",[]{}"):
        return json.dumps(text, ensure_ascii=False)
    try:
        node = safeyaml.compose(f"- {text}")
        plain = node is not None and node.value[0].tag == STR and node.value[0].value == text and "\n" not in text
    except (safeyaml.YAMLInputError, IndexError, AttributeError):
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def kind_of(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "một danh sách"
    if isinstance(node, MappingNode):
        return "một bảng trường"
    return "chữ" if node.tag == STR else f"giá trị `{node.value}`"


def unknown_field_message(name: str, known: tuple[str, ...], what: str) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"trường `{name}` không có trong định dạng của {what}; có phải ý bạn là `{close[0]}`?"
    return f"trường `{name}` không có trong định dạng của {what} (các trường hợp lệ: {', '.join(known)})"


def _construct(node: ScalarNode) -> Any:
    try:
        return safeyaml.Loader("").construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError):
        return None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"giá trị đúng/sai {value}"
    if isinstance(value, (int, float)):
        return f"số {value}"
    if value is None:
        return "một giá trị không hợp lệ"
    return f"ngày {value}"
