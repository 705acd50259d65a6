"""What validation reports: one problem per mistake, pointing at the file and line to fix.

Errors stop a knowledge base from loading (the running bot keeps its last good version);
warnings are reported but the knowledge base still loads. Messages are in Vietnamese because
the people who fix them are the staff who edit the YAML files.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
_LABEL = {ERROR: "lỗi", WARNING: "cảnh báo"}


@dataclass(frozen=True)
class Problem:
    """`code` names the kind of mistake for machines (e.g. "unknown-field"); `related` is the
    `file:line` of the other place involved (the first definition of a duplicate id, …);
    `subject` is what the problem is about when the message carries changing figures (scores)."""

    file: str
    line: int
    message: str
    code: str
    severity: str = ERROR
    related: str = ""
    subject: str = ""

    def __str__(self) -> str:
        also = f" (xem {self.related})" if self.related else ""
        where = f"{self.file}:{self.line}" if self.line else self.file  # line 0: the directory itself
        return f"{where}: {_LABEL[self.severity]}: {self.message}{also}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity that survives lines moving (used to tell which problems an edit introduced)."""
        return self.severity, self.code, self.file, self.subject or self.message

    def to_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "severity": self.severity, "code": self.code,
                "message": self.message, "related": self.related}


class KnowledgeError(Exception):
    """The knowledge directory cannot be loaded; `problems` are `file:line: message` strings."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line, p.severity, p.message))
