"""Add a phrasing to an entry's `alternatives` by inserting text, so staff keep their comments,
blank lines, quoting and order exactly as they wrote them (re-dumping the YAML would lose all
of that). Positions come from the safe composer's line/column marks.

`apply_alternative` checks the edited knowledge base in a temporary copy first and writes the
real file (atomically, so the reload never sees half a file) only if the edit adds no error.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot import safeyaml
from bot.config import Config
from bot.knowledge.loader import knowledge_files, read_knowledge
from bot.knowledge.problems import Problem
from bot.knowledge.validate import check
from bot.knowledge.yamlnodes import NULL, line_of, yaml_scalar
from bot.matcher.normalize import normalize


class EditError(Exception):
    """The edit cannot be made; the message says why, for staff."""


@dataclass(frozen=True)
class Applied:
    file: str
    line: int  # of the new alternative
    written: bool  # False: the edit would add `new_errors`, nothing was changed
    new_errors: list[Problem]
    notes: list[Problem]  # warnings about the new line


def add_alternative(source: str, entry_id: str, phrasing: str) -> tuple[str, int]:
    """The file text with `phrasing` appended to the entry's alternatives, and its line number."""
    entry = _find_entry(_compose(source), entry_id)
    fields = {key.value: (key, value) for key, value in entry.value if isinstance(key, ScalarNode)}
    newline = "\r\n" if "\r\n" in source else "\n"
    if "alternatives" not in fields:
        if "question" not in fields:
            raise EditError(f"mục `{entry_id}` chưa có `question`; hãy sửa tệp trước")
        key, value = fields["question"]
        indent = " " * key.start_mark.column
        text = f"{indent}alternatives:{newline}{indent}  - {yaml_scalar(phrasing)}{newline}"
        edited = _insert(source, _line_after(source, value), text, newline)
    else:
        edited = _append_item(source, *fields["alternatives"], phrasing, newline)
    return edited, _check_inserted(edited, entry_id, phrasing)


def _append_item(source: str, key: ScalarNode, value: Node, phrasing: str, newline: str) -> str:
    if isinstance(value, SequenceNode) and value.flow_style:
        close = value.end_mark.index - 1  # the closing bracket
        return source[:close] + (", " if value.value else "") + yaml_scalar(phrasing, flow=True) + source[close:]
    item = yaml_scalar(phrasing)
    if isinstance(value, SequenceNode):
        line = " " * value.start_mark.column + f"- {item}{newline}"
        return _insert(source, _line_after(source, value.value[-1]), line, newline)
    if isinstance(value, ScalarNode) and value.tag == NULL:  # `alternatives:` left empty, or `~`
        line = " " * (key.start_mark.column + 2) + f"- {item}{newline}"
        edited = _insert(source, _line_after(source, value), line, newline)
        return edited[:value.start_mark.index] + edited[value.end_mark.index:]
    raise EditError(f"dòng {line_of(value)}: `alternatives` của mục này không phải danh sách; hãy sửa tay")


def _compose(source: str) -> Node:
    try:
        root = safeyaml.compose(source)
    except safeyaml.YAMLInputError as exc:
        raise EditError(f"tệp đang có lỗi YAML ở dòng {exc.line}, hãy sửa trước: {exc.message}") from None
    if root is None:
        raise EditError("tệp trống")
    return root


def _find_entry(root: Node, entry_id: str) -> MappingNode:
    entries = next((v for k, v in root.value if k.value == "entries"), None) if isinstance(root, MappingNode) else None
    for item in entries.value if isinstance(entries, SequenceNode) else ():
        if isinstance(item, MappingNode) and any(k.value == "id" and v.value == entry_id
                                                 for k, v in item.value if isinstance(v, ScalarNode)):
            return item
    raise EditError(f"không tìm thấy mục `{entry_id}` trong tệp")


def _line_after(source: str, node: Node) -> int:
    """Offset of the line after `node` ends (block scalars already end at a line start)."""
    end = node.end_mark
    if end.column == 0 and end.line > node.start_mark.line:
        return end.index
    newline = source.find("\n", end.index)
    return len(source) if newline < 0 else newline + 1


def _insert(source: str, offset: int, text: str, newline: str) -> str:
    if offset == len(source) and source and not source.endswith("\n"):
        text = newline + text
    return source[:offset] + text + source[offset:]


def _check_inserted(edited: str, entry_id: str, phrasing: str) -> int:
    """Read the result back: the new phrasing must be the entry's last alternative."""
    entry = _find_entry(_compose(edited), entry_id)
    value = next(v for k, v in entry.value if k.value == "alternatives")
    last = value.value[-1] if isinstance(value, SequenceNode) and value.value else None
    if not isinstance(last, ScalarNode) or last.value != phrasing:
        raise EditError("không chèn được an toàn vào tệp này; hãy thêm tay")
    return line_of(last)


def apply_alternative(directory: str | Path, entry_id: str, phrasing: str, config: Config) -> Applied:
    """Add `phrasing` to the entry's alternatives in its own file, unless that adds an error."""
    directory = Path(directory)
    loaded = read_knowledge(directory, config.agency.placeholders())
    entry, source = loaded.kb.get(entry_id), loaded.sources.get(entry_id)
    if entry is None or source is None:
        close = difflib.get_close_matches(entry_id, list(loaded.sources), n=1)
        raise EditError(f"không có mục `{entry_id}`" + (f"; có phải ý bạn là `{close[0]}`?" if close else ""))
    phrasing = " ".join(phrasing.split())
    if normalize(phrasing, loaded.kb.abbreviations) in [normalize(p, loaded.kb.abbreviations) for p in entry.phrasings]:
        raise EditError(f"mục `{entry_id}` đã có cách hỏi này")
    path = Path(source.file)
    modified = path.stat().st_mtime_ns
    with open(path, encoding="utf-8", newline="") as handle:
        edited, line = add_alternative(handle.read(), entry_id, phrasing)
    return _validated_write(directory, path, edited, range(line, line + 1), modified, config)


def add_entry(source: str, entry_id: str, question: str, answer: str, reviewed: date) -> tuple[str, int]:
    """The file text with a new entry appended to `entries`, and the line of its `id`. The staff
    member who writes an entry vouches for it that day: `reviewed` is that date."""
    root = _compose(source)
    entries = next((v for k, v in root.value if k.value == "entries"), None) if isinstance(root, MappingNode) else None
    if not isinstance(entries, SequenceNode) or entries.flow_style or not entries.value:
        raise EditError("tệp này chưa có danh sách `entries` dạng khối; hãy thêm mục đầu tiên bằng tay")
    newline = "\r\n" if "\r\n" in source else "\n"
    dash = " " * entries.start_mark.column
    key = " " * entries.value[0].start_mark.column
    body = "".join(f"{key}  {line}{newline}" if line.strip() else newline for line in answer.strip().splitlines())
    text = (f"{newline}{dash}- id: {entry_id}{newline}{key}question: {yaml_scalar(question)}{newline}"
            f"{key}reviewed: {reviewed.isoformat()}{newline}{key}answer: |{newline}{body}")
    edited = _insert(source, _line_after(source, entries.value[-1]), text, newline)
    entry = _find_entry(_compose(edited), entry_id)
    return edited, line_of(entry)


def apply_entry(directory: str | Path, topic: str, entry_id: str, question: str, answer: str, config: Config) -> Applied:
    """Start a new entry in topic file `topic` (its file name without .yaml), unless that adds an error."""
    directory = Path(directory)
    path = next((p for p in knowledge_files(directory) if p.stem == topic), None)
    if path is None:
        raise EditError(f"không có tệp chủ đề `{topic}`")
    loaded = read_knowledge(directory, config.agency.placeholders())
    if loaded.kb.get(entry_id) is not None:
        raise EditError(f"đã có mục `{entry_id}`; chọn mã khác hoặc thêm câu hỏi vào mục đó")
    question, answer = " ".join(question.split()), answer.strip()
    if not question or not answer:
        raise EditError("cần cả câu hỏi và câu trả lời")
    modified = path.stat().st_mtime_ns
    with open(path, encoding="utf-8", newline="") as handle:
        edited, line = add_entry(handle.read(), entry_id, question, answer,
                                 datetime.now(ZoneInfo(config.timezone)).date())
    return _validated_write(directory, path, edited, range(line, edited.count("\n") + 2), modified, config)


def _validated_write(directory: Path, path: Path, edited: str, lines: range, modified: int, config: Config) -> Applied:
    """Write `edited` over `path` unless it adds an error or the file changed since it was read;
    warnings on the new `lines` come back as notes."""
    before = {p.key for p in check(directory, config).errors}
    after = _check_copy(directory, path.name, edited, config)
    new_errors = [p for p in after if p.is_error and p.key not in before]
    notes = [p for p in after if not p.is_error and p.file == str(path) and p.line in lines]
    if path.stat().st_mtime_ns != modified:
        raise EditError(f"{path} vừa được người khác sửa; hãy thử lại")
    if not new_errors:
        _write_atomically(path, edited)
    return Applied(str(path), lines.start, not new_errors, new_errors, notes)


def _check_copy(directory: Path, name: str, edited: str, config: Config) -> list[Problem]:
    """Problems of the directory as it would be after the edit, labelled with the real paths."""
    with tempfile.TemporaryDirectory() as tmp:
        for path in knowledge_files(directory):
            shutil.copyfile(path, Path(tmp) / path.name)
        with open(Path(tmp) / name, "w", encoding="utf-8", newline="") as handle:
            handle.write(edited)
        problems = check(tmp, config).problems
    return [replace(p, file=p.file.replace(tmp, str(directory)), related=p.related.replace(tmp, str(directory)))
            for p in problems]


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")  # hidden: the reload skips it
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    shutil.copymode(path, temporary)
    os.replace(temporary, path)
