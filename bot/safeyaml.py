"""The one way YAML from outside is read: knowledge files, campaign files and admin API bodies,
config.yaml. Safe tags only, with limits, and every refusal in Vietnamese with its line.

PyYAML's safe loader still trusts the size of what it is given:
- aliases are expanded by whoever walks the result, so 364 bytes of nested `&a [*b, *b, …]`
  ("billion laughs") stand for 10^9 nodes: a minute of CPU and gigabytes once stored as JSON;
- composing recurses once per nesting level, so `[[[[…` ends in a RecursionError (libyaml's
  C composer recurses without any check at all).
`compose` and `load` therefore compose with a small Python composer on top of libyaml's event
parser (a state machine, no recursion) that refuses, as it goes, a document nested deeper than
MAX_DEPTH or whose aliases stand for more than MAX_ALIAS_NODES nodes, and refuses texts larger
than MAX_CHARS before parsing. The node tree is the one libyaml's composer builds (same marks,
same styles), so line numbers and the comment-preserving edits in bot/knowledge/edit.py hold.

Syntax errors come out in Vietnamese with a hint for the mistakes staff actually make.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, Event, NodeEvent
from yaml.nodes import Node
from yaml.resolver import Resolver

MAX_CHARS = 2_000_000  # the largest shipped knowledge file is ~53 KB
MAX_DEPTH = 40  # knowledge entries nest 5 deep, campaigns 4
MAX_ALIAS_NODES = 10_000  # nodes that aliases may add beyond those written out

try:  # libyaml's event parser when available (~10x faster); pure Python otherwise
    from yaml._yaml import CParser as _Parser

    def _init_parser(loader: Any, text: str) -> None:
        _Parser.__init__(loader, text)
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        pass

    def _init_parser(loader: Any, text: str) -> None:
        Reader.__init__(loader, text)
        Scanner.__init__(loader)
        Parser.__init__(loader)


class YAMLInputError(Exception):
    """YAML refused: `message` in Vietnamese for the person who wrote it, `line` 1-based (0: unknown)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line

    def located(self, source: str) -> str:
        """`file:line: message`, the form every report in the project uses."""
        return f"{source}:{self.line}: {self.message}" if self.line else f"{source}: {self.message}"


class _LimitedComposer(Composer):
    """PyYAML's composer, counting nesting depth and the nodes aliases stand for as it goes."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._nodes = 0  # nodes composed so far, an alias counting as the nodes it stands for
        self._alias_nodes = 0
        self._sizes: dict[str, int] = {}  # anchor -> nodes it stands for, once its node is complete

    peek_event: Callable[[], Event]  # from the parser this composer is mixed with (see Loader)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            size = self._sizes.get(event.anchor or "")
            if size is None and event.anchor in self.anchors:
                raise _refusal(f"bí danh `*{event.anchor}` trỏ vào chính phần đang chứa nó", event)
            self._nodes += size or 1
            self._alias_nodes += size or 1
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise _refusal(f"các bí danh YAML (`*{event.anchor}`…) nở ra quá {_number(MAX_ALIAS_NODES)} phần tử; "
                               "hãy viết thẳng nội dung thay vì lồng bí danh", event)
            return super().compose_node(parent, index)
        collection = isinstance(event, CollectionStartEvent)
        if collection:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _refusal(f"dữ liệu lồng nhau quá {MAX_DEPTH} tầng", event)
        before = self._nodes
        node = super().compose_node(parent, index)
        self._nodes += 1
        self._depth -= collection
        if isinstance(event, NodeEvent) and event.anchor:
            self._sizes[event.anchor] = self._nodes - before
        return node


class Loader(_LimitedComposer, _Parser, SafeConstructor, Resolver):
    """A safe loader with limits. Subclass it to change the resolvers (campaigns read dates as text)."""

    def __init__(self, text: str):
        _init_parser(self, text)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        _LimitedComposer.__init__(self)


def compose(text: str, loader: type[Loader] = Loader) -> Node | None:
    """The document's root node (None when empty), or YAMLInputError."""
    return _run(text, loader, lambda it: it.get_single_node())


def load(text: str, loader: type[Loader] = Loader) -> Any:
    """The document as Python values, or YAMLInputError."""
    return load_with_node(text, loader)[0]


def load_with_node(text: str, loader: type[Loader] = Loader) -> tuple[Any, Node | None]:
    """The document's values and its root node (for line numbers), or YAMLInputError."""
    def both(it: Loader) -> tuple[Any, Node | None]:
        node = it.get_single_node()
        return (it.construct_document(node) if node is not None else None), node
    return _run(text, loader, both)


def _run(text: str, loader: type[Loader], read: Any) -> Any:
    if len(text) > MAX_CHARS:
        raise YAMLInputError(f"nội dung YAML quá lớn: {_number(len(text))} ký tự, tối đa {_number(MAX_CHARS)}")
    it = loader(text)
    try:
        return read(it)
    except yaml.MarkedYAMLError as exc:
        raise YAMLInputError(syntax_message(exc, text), _line(exc)) from None
    except yaml.YAMLError as exc:  # ReaderError: a control character the YAML reader refuses
        position = getattr(exc, "position", 0) or 0
        raise YAMLInputError("có ký tự điều khiển không được phép trong YAML: hãy xóa ký tự lạ ở dòng này",
                             text.count("\n", 0, position) + 1) from None
    finally:
        it.dispose()


def _number(n: int) -> str:
    """10.000, as Vietnamese writes thousands."""
    return f"{n:,}".replace(",", ".")


class _Refusal(yaml.MarkedYAMLError):
    """A limit, raised from inside the composer so that it carries the event's position."""


def _refusal(message: str, event: Any) -> _Refusal:
    return _Refusal(problem=message, problem_mark=event.start_mark)


def _line(exc: yaml.MarkedYAMLError) -> int:
    """Where the mistake is: a key without its colon, or a quote never closed, is noticed lines
    later (problem mark) but written where the token began (context mark)."""
    starts_there = exc.context in ("while scanning a simple key", "while scanning a quoted scalar")
    mark = (exc.context_mark if starts_there else None) or exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else 0


# What the parser says (libyaml's and PyYAML's wordings) -> what it means for staff.
_TAB_HINT = "có ký tự Tab: YAML chỉ cho thụt lề bằng dấu cách"
_SYNTAX_HINTS = (
    ("mapping values are not allowed", "có dấu hai chấm giữa câu: đặt cả câu trong dấu ngoặc kép, "
                                       "hoặc viết câu trả lời sau `|` (hoặc dòng trên thiếu dấu hai chấm)"),
    ("could not find expected ':'", "thiếu dấu hai chấm sau tên trường, hoặc dòng này thụt lề lệch"),
    ("did not find expected '-' indicator", "thụt lề không đều trong danh sách"),
    ("expected <block end>", "thụt lề không đều: các trường của một mục phải thẳng cột"),
    ("did not find expected key", "thụt lề không đều: các trường của một mục phải thẳng cột"),
    ("found unexpected end of stream", "thiếu dấu ngoặc kép đóng"),
    ("found undefined alias", "dùng bí danh `*…` chưa được khai báo bằng `&…`"),
    ("found duplicate anchor", "tên bí danh `&…` được khai báo hai lần"),
    ("but found another document", "tệp chỉ được chứa một tài liệu: bỏ dòng `---` hoặc `...` thừa"),
    ("found unknown escape character", "dấu `\\` trong chuỗi ngoặc kép: viết `\\\\`, hoặc dùng ngoặc đơn"),
    ("did not find expected ',' or ']'", "danh sách trong ngoặc vuông thiếu dấu phẩy hoặc dấu `]` đóng"),
    ("did not find expected ',' or '}'", "bảng trong ngoặc nhọn thiếu dấu phẩy hoặc dấu `}` đóng"),
    ("expected ',' or ']'", "danh sách trong ngoặc vuông thiếu dấu phẩy hoặc dấu `]` đóng"),
    ("expected ',' or '}'", "bảng trong ngoặc nhọn thiếu dấu phẩy hoặc dấu `}` đóng"),
    ("block sequence entries are not allowed", "dấu `- ` đầu mục đặt sai chỗ: xuống dòng và thụt lề cho thẳng"),
    ("did not find expected node content", "thiếu giá trị, hoặc có ký tự đặc biệt ở đầu giá trị: "
                                           "đặt giá trị trong dấu ngoặc kép"),
    ("cannot start any token", "có ký tự đặc biệt (như @, `, %) ở đầu giá trị: đặt giá trị trong dấu ngoặc kép"),
    ("found unexpected ':'", "dấu hai chấm đặt sai chỗ: đặt cả câu trong dấu ngoặc kép"),
    ("expected <document start>", "dòng đầu thụt lề: các trường ngoài cùng phải viết sát lề trái"),
    ("could not determine a constructor", "thẻ `!…` không được dùng: bỏ phần bắt đầu bằng `!`, "
                                          "hoặc đặt giá trị trong dấu ngoặc kép"),
    ("while scanning an alias", "dấu `*` ở đầu giá trị: đặt giá trị trong dấu ngoặc kép"),
    ("while scanning an anchor", "dấu `&` ở đầu giá trị: đặt giá trị trong dấu ngoặc kép"),
)


def syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    """A Vietnamese account of the error; the parser's English only when no hint fits."""
    if isinstance(exc, _Refusal):
        return str(exc.problem)
    line = _line(exc)
    lines = text.split("\n")
    written = lines[line - 1] if 0 < line <= len(lines) else ""
    problem = " ".join(str(part) for part in (exc.context, exc.problem) if part)
    hint = _TAB_HINT if "\t" in written else next((h for pattern, h in _SYNTAX_HINTS if pattern in problem), "")
    return f"lỗi cú pháp YAML: {hint}" if hint else f"lỗi cú pháp YAML (trình đọc báo: {problem})"
