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

from yaml.nodes import Node, ScalarNode, SequenceNode

from bot.config import AgencySettings
from bot.kb_model import Entry, KnowledgeBase
from bot.knowledge.entries import EntrySource, declared_id, read_entry
from bot.knowledge.problems import KnowledgeError, Problem, sort_problems
from bot.knowledge.yamlnodes import NULL, NodeReader
from bot.matcher.normalize import fold, normalize

__all__ = ["ABBREVIATIONS_FILE", "SYNONYMS_FILE", "KnowledgeError", "Loaded", "knowledge_files", "load_knowledge",
           "read_knowledge"]

ABBREVIATIONS_FILE = "abbreviations.yaml"
SYNONYMS_FILE = "synonyms.yaml"
TABLE_FILES = (ABBREVIATIONS_FILE, SYNONYMS_FILE)  # extend the matcher's tables; not topics
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
    """Topic files and the TABLE_FILES; hidden files (editor locks, swap files) are skipped."""
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
    try:
        files = knowledge_files(directory)
    except OSError as exc:
        reason = "không tìm thấy thư mục kiến thức" if not directory.exists() else f"không đọc được thư mục kiến thức: {exc}"
        return Loaded(KnowledgeBase(entries=()), [Problem(str(directory), 0, reason, "unreadable")])
    collector = _Collector(dict(AgencySettings().placeholders() if placeholders is None else placeholders))
    for path in files:
        collector.read_file(path)
    if not any(p.name not in TABLE_FILES for p in files):
        collector.problems.append(Problem(str(directory), 0, "thư mục kiến thức không có tệp .yaml nào", "no-files"))
    collector.problems.extend(_button_targets(collector.sources, collector.declared))
    kb = KnowledgeBase(entries=tuple(collector.entries), topics=collector.topics, abbreviations=collector.abbreviations,
                       synonyms=collector.synonyms)
    return Loaded(kb, sort_problems(collector.problems), collector.sources)


@dataclass
class _Collector:
    """What the files of one directory add up to, read one file at a time."""

    placeholders: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    sources: dict[str, EntrySource] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)
    synonyms: tuple[tuple[str, ...], ...] = ()
    declared: set[str] = field(default_factory=set)  # every id written, even on an invalid entry

    def read_file(self, path: Path) -> None:
        reader = NodeReader(str(path))
        text = _read_text(reader, path)
        if text is not None and path.name == ABBREVIATIONS_FILE:
            self.abbreviations = _abbreviations(reader, text)
        elif text is not None and path.name == SYNONYMS_FILE:
            self.synonyms = _synonyms(reader, text)
        elif text is not None:
            self._topic_file(reader, text, path.stem)
        self.problems.extend(reader.problems)

    def _topic_file(self, reader: NodeReader, text: str, topic: str) -> None:
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
        self.topics[topic] = (title or topic).strip()
        if "entries" not in fields:
            reader.report(root, "tệp thiếu `entries:` (danh sách các mục hỏi–đáp)", "missing-field")
        elif isinstance(fields["entries"][1], SequenceNode):
            for item in fields["entries"][1].value:
                self._entry(reader, item, topic)
        elif not (isinstance(fields["entries"][1], ScalarNode) and fields["entries"][1].tag == NULL):
            reader.report(fields["entries"][1], "`entries` phải là danh sách mục, mỗi mục bắt đầu bằng `- id:`", "wrong-type")

    def _entry(self, reader: NodeReader, node: Node, topic: str) -> None:
        self.declared.add(declared_id(node))
        read = read_entry(reader, node, topic, self.placeholders)
        if read is None:
            return
        entry, source = read
        if entry.id in self.sources:
            first = self.sources[entry.id]
            reader.report(node, f"id `{entry.id}` đã được dùng cho một mục khác; mỗi id phải là duy nhất",
                          "duplicate-id", related=f"{first.file}:{first.line}")
            return
        self.entries.append(entry)
        self.sources[entry.id] = source


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


def _button_targets(sources: dict[str, EntrySource], declared: set[str]) -> list[Problem]:
    """Buttons pointing at ids nobody declared (an entry that is declared but broken is reported itself)."""
    problems = []
    for source in sources.values():
        for target, line in source.button_targets:
            if target not in declared:
                close = difflib.get_close_matches(target, list(sources), n=1, cutoff=0.6)
                hint = f"; có phải ý bạn là `{close[0]}`?" if close else ""
                problems.append(Problem(source.file, line, f"nút trỏ tới mục `{target}` không tồn tại{hint}", "unknown-entry"))
    return problems


def _table(reader: NodeReader, text: str, file: str, what: str) -> Node | None:
    """The value under a table file's one key, named after the file (`abbreviations:` in
    abbreviations.yaml); None when the file is empty, or broken (reported)."""
    key = Path(file).stem
    root = reader.compose(text)
    fields = reader.mapping(root, (key,), file) if root is not None else None
    if root is not None and fields is not None and key not in fields:
        reader.report(root, f"tệp {what} cần có `{key}:`", "missing-field")
    return fields[key][1] if fields and key in fields else None


def _abbreviations(reader: NodeReader, text: str) -> dict[str, str]:
    """`abbreviations:` maps a word typed without diacritics to what it stands for."""
    node = _table(reader, text, ABBREVIATIONS_FILE, "viết tắt")
    if node is None:
        return {}
    table = reader.mapping(node, None, "bảng viết tắt") or {}
    pairs = (_abbreviation(reader, name, key, value) for name, (key, value) in table.items())
    return dict(pair for pair in pairs if pair is not None)


def _abbreviation(reader: NodeReader, name: str, key: ScalarNode, value: Node) -> tuple[str, str] | None:
    written, expansion = reader.text("abbreviations", key), reader.text(name, value)
    if written is None:
        return None
    word = fold(written)
    if not expansion or not expansion.strip():
        if isinstance(value, ScalarNode) and (value.tag == NULL or not value.value.strip()):
            reader.report(value, f"từ viết tắt `{name}` chưa có nghĩa đầy đủ", "empty-value")
        return None
    if not word or " " in word:
        reader.report(key, f"`{name}`: từ viết tắt phải là một từ, không có dấu cách", "bad-abbreviation")
        return None
    if word != written:
        reader.report(key, f"`{name}`: viết từ viết tắt không dấu, chữ thường (`{word}`), như người dân gõ",
                      "bad-abbreviation", warning=True)
    return word, expansion.strip()


def _synonyms(reader: NodeReader, text: str) -> tuple[tuple[str, ...], ...]:
    """`synonyms:` lists groups of phrases citizens use interchangeably."""
    node = _table(reader, text, SYNONYMS_FILE, "từ đồng nghĩa")
    if node is None or (isinstance(node, ScalarNode) and node.tag == NULL):
        return ()
    if not isinstance(node, SequenceNode):
        reader.report(node, "`synonyms` phải là danh sách các nhóm, mỗi nhóm một dòng dạng `- [từ, từ]`", "wrong-type")
        return ()
    groups = (_synonym_group(reader, group) for group in node.value)
    return tuple(group for group in groups if group)


def _synonym_group(reader: NodeReader, node: Node) -> tuple[str, ...]:
    """The group's phrases as written, repeats dropped; empty when it no longer pairs two terms."""
    if not isinstance(node, SequenceNode):
        reader.report(node, "mỗi nhóm từ đồng nghĩa phải là một danh sách, ví dụ `- [khai sinh, khai sanh]`", "wrong-type")
        return ()
    if len(node.value) < 2:
        reader.report(node, "nhóm từ đồng nghĩa cần ít nhất hai cụm từ", "short-group")
        return ()
    first_seen: dict[str, str] = {}  # folded term -> the phrase as first written
    for phrase, line in reader.text_list("synonyms", node):
        term = _synonym_term(reader, phrase, line)
        if term in first_seen:
            reader.report(line, f"cụm từ `{phrase}` lặp lại `{first_seen[term]}` trong cùng nhóm", "duplicate-synonym",
                          warning=True)
        elif term is not None:
            first_seen[term] = phrase
    return tuple(first_seen.values()) if len(first_seen) > 1 else ()


def _synonym_term(reader: NodeReader, phrase: str, line: int) -> str | None:
    """The folded term the matcher's index knows the phrase by: a syllable or a syllable bigram."""
    syllables = normalize(phrase)
    if not syllables:
        reader.report(line, f"cụm từ `{phrase}` không còn chữ nào sau khi bỏ dấu câu và từ đệm", "bad-synonym")
    elif len(syllables) > 2:
        reader.report(line, f"cụm từ `{phrase}` có {len(syllables)} tiếng (`{' '.join(syllables)}`); "
                            "mỗi cụm từ chỉ được một hoặc hai tiếng", "bad-synonym")
    else:
        return " ".join(syllables)
    return None
