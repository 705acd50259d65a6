"""Load a knowledge directory of YAML topic files into a KnowledgeBase.

Minimal first version: the validation issue grows this into full `file:line` checking.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.knowledge.model import Button, Entry, KnowledgeBase

ABBREVIATIONS_FILE = "abbreviations.yaml"


class KnowledgeError(Exception):
    """The knowledge directory cannot be loaded; `problems` are `file:line: message` strings."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def load_knowledge(directory: str | Path) -> KnowledgeBase:
    directory = Path(directory)
    if not directory.is_dir():
        raise KnowledgeError([f"{directory}: không tìm thấy thư mục kiến thức"])
    entries: list[Entry] = []
    topics: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == ABBREVIATIONS_FILE:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        topics[path.stem] = str(data.get("topic", path.stem))
        for raw in data.get("entries") or []:
            entries.append(_entry(raw, path.stem, path.name))
    abbreviations = _abbreviations(directory / ABBREVIATIONS_FILE)
    return KnowledgeBase(entries=tuple(entries), topics=topics, abbreviations=abbreviations)


def _entry(raw: dict, topic: str, filename: str) -> Entry:
    return Entry(
        id=str(raw["id"]),
        topic=topic,
        question=str(raw["question"]),
        answer=str(raw["answer"]).strip(),
        alternatives=tuple(str(a) for a in raw.get("alternatives") or ()),
        tags=tuple(str(t) for t in raw.get("tags") or ()),
        source=str(raw.get("source", "")),
        reviewed=str(raw.get("reviewed", "")),
        examples=tuple(str(e) for e in raw.get("examples") or ()),
        buttons=tuple(Button(str(b["title"]), *_button_target(b)) for b in raw.get("buttons") or ()),
        file=filename,
    )


def _button_target(raw: dict) -> tuple[str, str]:
    for kind in ("url", "phone", "entry"):
        if kind in raw:
            return kind, str(raw[kind])
    raise KnowledgeError([f"button {raw!r}: needs one of url, phone, entry"])


def _abbreviations(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in (data.get("abbreviations") or {}).items()}
