"""One FAQ entry: from its YAML node to an `Entry`, reporting every mistake with its line.

Checks here need only the entry itself; checks across entries (duplicate ids, buttons pointing
at an id that does not exist) are in loader.py, checks that need the matcher in validate.py.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.kb_model import Button, Entry
from bot.knowledge.yamlnodes import NULL, NodeReader, line_of
from bot.zalo.messages import MAX_TEXT

ENTRY_FIELDS = ("id", "question", "alternatives", "answer", "short_answer", "facts", "tags", "source", "legal_basis",
                "reviewed", "review_by", "valid_until", "examples", "buttons")
BUTTON_FIELDS = ("title", "url", "phone", "entry")
MAX_ENTRY_BUTTONS = 3  # Zalo shows 5 at most; the conversation adds its own (rating) buttons
MAX_TITLE = 100  # longer button titles (and questions shown as suggestion buttons) are cut
MAX_SHORT_ANSWER = 300  # a short answer fits a phone screen without scrolling
LONG_ANSWER = 500  # longer answers should have a short_answer sent first
_FACT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://[^\s/]+\S*$")
_PHONE = re.compile(r"^\+?[0-9][0-9 .()-]*$")


@dataclass(frozen=True)
class EntrySource:
    """Where an entry's parts are written, for problems found after loading."""

    file: str
    line: int
    phrasing_lines: tuple[int, ...]  # aligned with Entry.phrasings
    example_lines: tuple[int, ...]  # aligned with Entry.examples
    button_targets: tuple[tuple[str, int], ...]  # (entry id, line) of `entry:` buttons
    legal_basis_lines: tuple[int, ...] = ()  # aligned with Entry.legal_basis


def read_entry(reader: NodeReader, node: Node, topic: str, placeholders: Mapping[str, str]) -> tuple[Entry, EntrySource] | None:
    """The entry, or None when a required field is missing or invalid (already reported)."""
    fields = reader.mapping(node, ENTRY_FIELDS, "một mục (entry)")
    if fields is None:
        return None
    facts, broken = _facts(reader, fields["facts"][1], placeholders) if "facts" in fields else ((), set())
    values = {**placeholders, **dict.fromkeys(broken, "?"), **dict(facts)}  # a broken fact is reported once
    entry_id, question, answer = _core_fields(reader, fields, node, values)
    short_answer = _short_answer(reader, fields["short_answer"][1], values) if "short_answer" in fields else ""
    if answer is not None:
        _check_length(reader, fields["answer"][1], answer, short_answer, values)
        _unused_facts(reader, fields["facts"][1] if facts else node, facts, f"{answer}\n{short_answer}")
    lists = {name: reader.text_list(name, fields[name][1]) if name in fields else []
             for name in ("alternatives", "tags", "examples", "legal_basis")}
    buttons, targets = _buttons(reader, fields["buttons"][1], placeholders) if "buttons" in fields else ((), ())
    dates = {name: _date(reader, name, fields[name][1]) if name in fields else ""
             for name in ("reviewed", "review_by", "valid_until")}
    source = (reader.text("source", fields["source"][1]) or "").strip() if "source" in fields else ""
    for name, present in (("source", source), ("examples", lists["examples"])):
        if not present:
            reader.report(node, f"mục nên có `{name}`", "recommended-field", warning=True)
    if entry_id is None or question is None or answer is None:
        return None
    texts = {name: tuple(text for text, _ in items) for name, items in lists.items()}
    entry = Entry(id=entry_id, topic=topic, question=question, answer=answer, alternatives=texts["alternatives"],
                  tags=texts["tags"], source=source, reviewed=dates["reviewed"], examples=texts["examples"],
                  buttons=buttons, file=reader.file, line=line_of(node), short_answer=short_answer, facts=facts,
                  valid_until=dates["valid_until"], review_by=dates["review_by"], legal_basis=texts["legal_basis"])
    lines = {name: tuple(line for _, line in items) for name, items in lists.items()}
    return entry, EntrySource(reader.file, line_of(node), (line_of(fields["question"][1]), *lines["alternatives"]),
                              lines["examples"], targets, lines["legal_basis"])


def _core_fields(reader: NodeReader, fields: dict, node: Node, placeholders: Mapping[str, str]) -> tuple[str | None, ...]:
    """id, question and answer, each None when missing or invalid."""
    entry_id, question, answer = (_required(reader, fields, name, node) for name in ("id", "question", "answer"))
    if entry_id is not None and not _SLUG.match(entry_id):
        reader.report(fields["id"][1], f"id `{entry_id}` chỉ được gồm chữ thường không dấu, số và dấu gạch ngang "
                                       "(ví dụ `can-cuoc-cap-moi`)", "bad-id")
        entry_id = None
    if answer is not None:
        _check_answer(reader, fields["answer"][1], answer, placeholders)
    if question is not None and len(question.strip()) > MAX_TITLE:
        reader.report(fields["question"][1], f"câu hỏi dài {len(question.strip())} ký tự; khi hiện thành nút gợi ý, "
                                             f"Zalo chỉ hiện {MAX_TITLE} ký tự đầu", "long-title", warning=True)
    return entry_id, question, answer


def declared_id(node: Node) -> str:
    """The id an entry node declares, even when the entry is invalid ("" when it has none)."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == "id" and isinstance(value, ScalarNode):
                return value.value
    return ""


def check_placeholders(reader: NodeReader, node: Node, text: str, placeholders: Mapping[str, str]) -> None:
    """Every `{name}` must be a known agency placeholder or one of the entry's facts, or the citizen
    sees the braces."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text) if name is not None]
    except ValueError:
        reader.report(reader.line_in(node, _unbalanced_line(text)), "dấu ngoặc nhọn `{ }` không khớp: viết thông tin của đơn vị "
                                                      "như `{hotline}`, hoặc viết `{{` và `}}` để hiện chính dấu ngoặc",
                      "bad-placeholder")
        return
    for name, spec, conversion in fields:
        shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if name not in placeholders or spec or conversion:
            known = ", ".join("{" + key + "}" for key in placeholders)
            reader.report(reader.line_in(node, shown), f"`{shown}` không phải thông tin của đơn vị đã cấu hình "
                                                         f"hay một thông tin trong `facts` của mục "
                                                         f"(dùng được: {known})", "unknown-placeholder")
        elif not placeholders[name].strip():
            reader.report(reader.line_in(node, shown), f"`{shown}` chưa được điền trong config.yaml (mục agency): "
                                                         "người dân sẽ thấy một chỗ trống", "empty-placeholder", warning=True)


def render(text: str, placeholders: Mapping[str, str]) -> str:
    """`text` with known placeholders filled; as written when it has brace mistakes (reported elsewhere)."""
    try:
        return string.Formatter().vformat(text, (), _Keep(placeholders))
    except (ValueError, IndexError, AttributeError):
        return text


def _unbalanced_line(text: str) -> str:
    """The first line whose braces do not pair up (placeholders never span lines)."""
    for line in text.splitlines():
        try:
            list(string.Formatter().parse(line))
        except ValueError:
            return line.strip()
    return ""


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _required(reader: NodeReader, fields: dict, name: str, entry: Node) -> str | None:
    """The field's text, stripped; None (reported) when missing or empty."""
    if name not in fields:
        reader.report(entry, f"mục thiếu trường bắt buộc `{name}`", "missing-field")
        return None
    value = reader.text(name, fields[name][1])
    if value is None or not value.strip():
        node = fields[name][1]
        if isinstance(node, ScalarNode) and (node.tag == NULL or not node.value.strip()):
            reader.report(node, f"`{name}` đang để trống", "empty-answer" if name == "answer" else "empty-value")
        return None
    return value.strip()


def _check_answer(reader: NodeReader, node: Node, answer: str, placeholders: Mapping[str, str]) -> None:
    check_placeholders(reader, node, answer, placeholders)
    length = len(render(answer.strip(), placeholders))
    if length > MAX_TEXT:
        reader.report(node, f"câu trả lời dài {length} ký tự, quá giới hạn {MAX_TEXT} ký tự một tin của Zalo: "
                            "bot sẽ tách thành nhiều tin; nên rút gọn, và thêm `short_answer` gửi trước",
                      "long-answer", warning=True)
    if isinstance(node, ScalarNode) and not node.style and node.end_mark.line > node.start_mark.line:
        reader.report(node, "câu trả lời nhiều dòng viết không có `|`: YAML nối các dòng làm một; "
                            "viết `answer: |` rồi xuống dòng để giữ nguyên cách xuống dòng", "plain-multiline", warning=True)


_DATE_MEANING = {"reviewed": "ngày rà soát", "review_by": "hạn rà soát lại", "valid_until": "ngày hết hiệu lực"}


def _date(reader: NodeReader, name: str, node: Node) -> str:
    """A date field as YYYY-MM-DD (YAML reads an unquoted date as a date: that is what we want)."""
    if isinstance(node, ScalarNode) and node.tag != NULL:
        try:
            return date.fromisoformat(node.value.strip()).isoformat()
        except ValueError:
            pass
    reader.report(node, f"`{name}` phải là {_DATE_MEANING[name]} dạng NĂM-THÁNG-NGÀY, ví dụ 2026-12-04", "bad-date")
    return ""


def _facts(reader: NodeReader, node: Node, placeholders: Mapping[str, str]) -> tuple[tuple[tuple[str, str], ...], set[str]]:
    """`facts:` maps a name used in the answer as `{name}` to its value (a fee, a deadline).
    Returns the valid facts and the names of the invalid ones (reported here)."""
    table = reader.mapping(node, None, "bảng `facts`")
    if table is None:
        return (), set()
    facts = []
    for name, (key, value_node) in table.items():
        value = reader.text(name, value_node)
        if not _FACT_NAME.match(name):
            reader.report(key, f"tên thông tin `{name}` chỉ gồm chữ thường không dấu, số và dấu gạch dưới, "
                               "bắt đầu bằng chữ (ví dụ `fee`, `deadline`)", "bad-fact")
        elif name in placeholders:
            reader.report(key, f"`{name}` đã là thông tin của đơn vị trong config.yaml; đặt tên khác cho thông tin này",
                          "bad-fact")
        elif value is None or not value.strip():
            if isinstance(value_node, ScalarNode) and (value_node.tag == NULL or not value_node.value.strip()):
                reader.report(value_node, f"thông tin `{name}` đang để trống: người dân sẽ thấy một chỗ trống",
                              "empty-fact")
        elif "{" in value or "}" in value:
            reader.report(value_node, f"thông tin `{name}` không được chứa dấu ngoặc nhọn", "bad-fact")
        else:
            facts.append((name, " ".join(value.split())))
    return tuple(facts), set(table) - {name for name, _ in facts}


def _unused_facts(reader: NodeReader, node: Node, facts: tuple[tuple[str, str], ...], texts: str) -> None:
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(texts) if name}
    except ValueError:
        return  # unbalanced braces, reported with the answer
    for name, _ in facts:
        if name not in used:
            reader.report(reader.line_in(node, name), f"thông tin `{name}` không được dùng trong câu trả lời "
                                                      f"(viết `{{{name}}}` ở chỗ cần hiện)", "unused-fact", warning=True)


def _short_answer(reader: NodeReader, node: Node, values: Mapping[str, str]) -> str:
    text = reader.text("short_answer", node)
    if text is None or not text.strip():
        if isinstance(node, ScalarNode) and (node.tag == NULL or not node.value.strip()):
            reader.report(node, "`short_answer` đang để trống", "empty-value")
        return ""
    check_placeholders(reader, node, text, values)
    length = len(render(text.strip(), values))
    if length > MAX_SHORT_ANSWER:
        reader.report(node, f"câu trả lời ngắn dài {length} ký tự; tối đa {MAX_SHORT_ANSWER} ký tự "
                            "(phần chi tiết để ở `answer`)", "long-short-answer")
    return text.strip()


def _check_length(reader: NodeReader, node: Node, answer: str, short_answer: str, values: Mapping[str, str]) -> None:
    length = len(render(answer.strip(), values))
    if LONG_ANSWER < length <= MAX_TEXT and not short_answer:  # longer: the Zalo limit's warning says it
        reader.report(node, f"câu trả lời dài {length} ký tự, khó đọc trên điện thoại: thêm `short_answer` "
                            f"(tối đa {MAX_SHORT_ANSWER} ký tự, điều phần lớn người hỏi cần) gửi trước, "
                            "kèm nút \"Xem chi tiết\"", "no-short-answer", warning=True)


def _buttons(reader: NodeReader, node: Node,
             placeholders: Mapping[str, str]) -> tuple[tuple[Button, ...], tuple[tuple[str, int], ...]]:
    if not isinstance(node, SequenceNode):
        reader.report(node, "`buttons` phải là danh sách nút, mỗi nút bắt đầu bằng `- title:`", "wrong-type")
        return (), ()
    if len(node.value) > MAX_ENTRY_BUTTONS:
        reader.report(node.value[MAX_ENTRY_BUTTONS], f"tối đa {MAX_ENTRY_BUTTONS} nút mỗi mục (Zalo hiện tối đa 5 nút, "
                                                     "bot cần chỗ cho nút của mình)", "too-many-buttons")
    buttons, targets = [], []
    for item in node.value:
        button = _button(reader, item, placeholders)
        if button is not None:
            buttons.append(button)
            if button.kind == "entry":
                targets.append((button.value, line_of(item)))
    return tuple(buttons), tuple(targets)


def _button(reader: NodeReader, node: Node, placeholders: Mapping[str, str]) -> Button | None:
    fields = reader.mapping(node, BUTTON_FIELDS, "một nút (button)")
    if fields is None:
        return None
    title = reader.text("title", fields["title"][1]) if "title" in fields else None
    kinds = [kind for kind in ("url", "phone", "entry") if kind in fields]
    if not title or not title.strip():
        reader.report(node, "nút thiếu `title` (chữ hiện trên nút)", "missing-field")
    elif len(title) > MAX_TITLE:
        reader.report(fields["title"][1], f"tiêu đề nút dài hơn {MAX_TITLE} ký tự sẽ bị cắt", "long-title", warning=True)
    if len(kinds) != 1:
        reader.report(node, "mỗi nút cần đúng một trong `url` (trang web), `phone` (số điện thoại) "
                            "hoặc `entry` (id của một mục khác)", "bad-button")
        return None
    kind = kinds[0]
    value = reader.text(kind, fields[kind][1])
    if value is None or not _target_ok(reader, kind, value.strip(), fields[kind][1], placeholders):
        return None
    return Button(title.strip(), kind, value.strip()) if title and title.strip() else None


def _target_ok(reader: NodeReader, kind: str, value: str, node: Node, placeholders: Mapping[str, str]) -> bool:
    if kind == "entry":
        return True
    before = len(reader.problems)
    check_placeholders(reader, node, value, placeholders)
    if any(p.is_error for p in reader.problems[before:]):
        return False
    shown = render(value, placeholders)
    if kind == "url" and not _URL.match(shown):
        reader.report(node, f"`url` phải là địa chỉ web bắt đầu bằng https:// (đang là `{shown}`)", "bad-url")
        return False
    digits = sum(ch.isdigit() for ch in shown)
    if kind == "phone" and not (_PHONE.match(shown) and 3 <= digits <= 15):
        reader.report(node, f"`phone` phải là số điện thoại, ví dụ 1900 1234 hoặc 0281234567 (đang là `{shown}`)", "bad-phone")
        return False
    return True
