"""Load a knowledge directory of YAML topic files into a KnowledgeBase, checking its structure.

`read_knowledge` returns everything it could read plus every problem found; `load_knowledge`
is the strict form the bot uses: any error raises KnowledgeError (warnings do not). Files are
parsed with PyYAML's safe composer only; checks that need the matcher live in validate.py.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import ScalarNode, SequenceNode

from bot.config import AgencySettings
from bot.knowledge.entries import EntrySource, read_entry
from bot.knowledge.model import Entry, KnowledgeBase
from bot.knowledge.problems import KnowledgeError, Problem, sort_problems
from bot.knowledge.yamlnodes import NULL, NodeReader, line_of
from bot.matcher.normalize import fold

__all__ = ["ABBREVIATIONS_FILE", "KnowledgeError", "Loaded", "knowledge_files", "load_knowledge", "read_knowledge"]

ABBREVIATIONS_FILE = "abbreviations.yaml"
FILE_FIELDS = ("topic", "entries")


@dataclass
class Loaded:
    """A read of the directory: the entries that are valid, and what is wrong with the rest."""

    kb: KnowledgeBase
    problems: list[Problem]
    sources: dict[str, EntrySource] = field(default_factory=dict)  # entry id -> where it is written

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def knowledge_files(directory: Path) -> list[Path]:
    """Topic files and abbreviations.yaml; hidden files (editor locks, swap files) are skipped."""
    names = [p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith((".", "#"))]
    return sorted(p for p in names if p.is_file())


def load_knowledge(directory: str | Path) -> KnowledgeBase:
    """The knowledge base, or KnowledgeError listing every error as `file:line: message`."""
    loaded = read_knowledge(directory)
    if loaded.errors:
        raise KnowledgeError([str(p) for p in loaded.errors])
    return loaded.kb


def read_knowledge(directory: str | Path, placeholders: Mapping[str, str] | None = None) -> Loaded:
    """Read every file; never raises for bad content. `placeholders` (agency values) are used to
    render answers and buttons for the length and address checks; defaults when None."""
    directory = Path(directory)
    values = dict(AgencySettings().placeholders() if placeholders is None else placeholders)
    try:
        files = knowledge_files(directory)
    except OSError as exc:
        reason = "không tìm thấy thư mục kiến thức" if not directory.exists() else f"không đọc được thư mục kiến thức: {exc}"
        return Loaded(KnowledgeBase(entries=()), [Problem(str(directory), 0, reason, "unreadable")])
    problems: list[Problem] = []
    entries: list[Entry] = []
    sources: dict[str, EntrySource] = {}
    topics: dict[str, str] = {}
    abbreviations: dict[str, str] = {}
    for path in files:
        reader = NodeReader(str(path))
        text = _read_text(reader, path)
        if text is not None and path.name == ABBREVIATIONS_FILE:
            abbreviations = _abbreviations(reader, text)
        elif text is not None:
            _topic_file(reader, text, path.stem, values, topics, entries, sources)
        problems.extend(reader.problems)
    if not any(p.name != ABBREVIATIONS_FILE for p in files):
        problems.append(Problem(str(directory), 0, "thư mục kiến thức không có tệp .yaml nào", "no-files"))
    problems.extend(_button_targets(sources))
    kb = KnowledgeBase(entries=tuple(entries), topics=topics, abbreviations=abbreviations)
    return Loaded(kb, sort_problems(problems), sources)


def _read_text(reader: NodeReader, path: Path) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reader.report(1, f"không đọc được tệp: {exc.strerror or exc}", "unreadable")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        reader.report(raw.count(b"\n", 0, exc.start) + 1, "tệp không phải mã UTF-8: hãy lưu lại với bảng mã UTF-8", "encoding")
        return None


def _topic_file(reader: NodeReader, text: str, topic: str, placeholders: Mapping[str, str], topics: dict[str, str],
                entries: list[Entry], sources: dict[str, EntrySource]) -> None:
    root = reader.compose(text)
    if root is None:
        if not reader.problems:
            reader.report(1, "tệp trống", "empty-file", warning=True)
        return
    fields = reader.mapping(root, FILE_FIELDS, "tệp chủ đề")
    if fields is None:
        return
    title = reader.text("topic", fields["topic"][1]) if "topic" in fields else None
    if not title:
        reader.report(root, "tệp nên có `topic:` (tên chủ đề hiện cho người dân)", "recommended-field", warning=True)
    topics[topic] = (title or topic).strip()
    if "entries" not in fields:
        reader.report(root, "tệp thiếu `entries:` (danh sách các mục hỏi–đáp)", "missing-field")
        return
    node = fields["entries"][1]
    if not isinstance(node, SequenceNode):
        if not (isinstance(node, ScalarNode) and node.tag == NULL):
            reader.report(node, "`entries` phải là danh sách mục, mỗi mục bắt đầu bằng `- id:`", "wrong-type")
        return
    for item in node.value:
        read = read_entry(reader, item, topic, placeholders)
        if read is None:
            continue
        entry, source = read
        if entry.id in sources:
            first = sources[entry.id]
            reader.report(item, f"id `{entry.id}` đã được dùng cho một mục khác; mỗi id phải là duy nhất",
                          "duplicate-id", related=f"{first.file}:{first.line}")
            continue
        entries.append(entry)
        sources[entry.id] = source


def _button_targets(sources: dict[str, EntrySource]) -> list[Problem]:
    problems = []
    for source in sources.values():
        for target, line in source.button_targets:
            if target not in sources:
                close = difflib.get_close_matches(target, list(sources), n=1, cutoff=0.6)
                hint = f"; có phải ý bạn là `{close[0]}`?" if close else ""
                problems.append(Problem(source.file, line, f"nút trỏ tới mục `{target}` không tồn tại{hint}", "unknown-entry"))
    return problems


def _abbreviations(reader: NodeReader, text: str) -> dict[str, str]:
    """`abbreviations:` maps a word typed without diacritics to what it stands for."""
    root = reader.compose(text)
    fields = reader.mapping(root, ("abbreviations",), ABBREVIATIONS_FILE) if root is not None else None
    if not fields or "abbreviations" not in fields:
        if fields is not None:
            reader.report(root, "tệp viết tắt cần có `abbreviations:`", "missing-field")
        return {}
    table = reader.mapping(fields["abbreviations"][1], None, "bảng viết tắt") or {}
    result: dict[str, str] = {}
    for name, (key, value) in table.items():
        written, expansion = reader.text("abbreviations", key), reader.text(name, value)
        if written is None:
            continue
        word = fold(written)
        if not expansion or not expansion.strip():
            if isinstance(value, ScalarNode) and (value.tag == NULL or not value.value.strip()):
                reader.report(value, f"từ viết tắt `{name}` chưa có nghĩa đầy đủ", "empty-value")
        elif not word or " " in word:
            reader.report(key, f"`{name}`: từ viết tắt phải là một từ, không có dấu cách", "bad-abbreviation")
        else:
            if word != written:
                reader.report(key, f"`{name}`: viết từ viết tắt không dấu, chữ thường (`{word}`), như người dân gõ",
                              "bad-abbreviation", warning=True)
            result[word] = expansion.strip()
    return result
