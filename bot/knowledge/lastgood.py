"""The last knowledge base that validated, kept beside the files so that a restart survives a typo.

Hot reload keeps the last good version in memory; this keeps it on disk too. Whenever the bot
loads the directory without errors it writes the files' texts to `<knowledge_dir>/.last-good.json`
(a hidden file: the loader skips it, editors and `git status` barely notice it). At start-up,
when a file has an error, `load_or_last_good` answers from that snapshot and returns the
problems (`file:line: message`) for the log, `/healthz` and `kb check`; only a directory that
never validated makes start-up fail. Every process using the directory (serve, worker, chat,
ask) shares the snapshot, whatever database it uses.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.clock import iso, utc_now
from bot.knowledge.loader import Loaded, knowledge_files, read_knowledge
from bot.knowledge.problems import KnowledgeError

log = logging.getLogger(__name__)

SNAPSHOT = ".last-good.json"


@dataclass(frozen=True)
class Started:
    """What a process starts with: `loaded` is live files, or the snapshot when `errors` is not empty."""

    loaded: Loaded
    errors: list[str]  # the live files' errors, as `file:line: lỗi: message`
    saved_at: str = ""  # when the snapshot in use was saved; "" when answering from the files


def load_or_last_good(directory: str | Path, placeholders: Mapping[str, str] | None = None) -> Started:
    """The directory's knowledge base (saved as the new last good one), or the last good one with
    the directory's errors; KnowledgeError when neither is usable."""
    directory = Path(directory)
    texts = read_texts(directory)
    loaded = read_knowledge(directory, placeholders)
    if not loaded.errors:
        if texts is not None and read_texts(directory) == texts:  # unchanged while validating
            save(directory, texts)
        return Started(loaded, [])
    errors = [str(p) for p in loaded.errors]
    saved = load(directory, placeholders)
    if saved is None:
        raise KnowledgeError(errors + [
            f"{directory}: chưa có phiên bản hợp lệ nào được lưu ({SNAPSHOT}) để dùng tạm, nên bot không khởi động "
            "được: sửa các lỗi trên (kiểm tra bằng python -m bot kb check) rồi chạy lại"])
    saved_loaded, saved_at = saved
    log.error("knowledge base has errors; answering from the last good version saved at %s until they are fixed:\n%s",
              saved_at, "\n".join(errors))
    return Started(saved_loaded, errors, saved_at)


def read_texts(directory: Path) -> dict[str, str] | None:
    """File name -> text of every knowledge file; None when one cannot be read as UTF-8."""
    try:
        return {path.name: path.read_text(encoding="utf-8") for path in knowledge_files(directory)}
    except (OSError, UnicodeDecodeError):
        return None


def save(directory: Path, texts: dict[str, str]) -> None:
    """Write the snapshot atomically when it changed; a read-only directory only costs the fallback."""
    target = directory / SNAPSHOT
    try:
        if target.exists() and json.loads(target.read_text(encoding="utf-8")).get("files") == texts:
            return
    except (OSError, ValueError, AttributeError):
        pass  # unreadable or corrupt: overwrite it
    body = json.dumps({"saved_at": iso(utc_now()), "files": texts}, ensure_ascii=False)
    try:
        handle, temporary = tempfile.mkstemp(prefix=SNAPSHOT, dir=directory)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(body)
        os.replace(temporary, target)
    except OSError as exc:
        log.warning("could not save the last good knowledge base to %s: %s", target, exc)


def load(directory: Path, placeholders: Mapping[str, str] | None = None) -> tuple[Loaded, str] | None:
    """The saved knowledge base and when it was saved; None when there is none usable."""
    try:
        data = json.loads((directory / SNAPSHOT).read_text(encoding="utf-8"))
        files, saved_at = dict(data["files"]), str(data["saved_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    with tempfile.TemporaryDirectory(prefix="last-good-") as scratch:
        for name, text in files.items():
            if Path(name).name != name:
                return None  # names only, never paths
            (Path(scratch) / name).write_text(text, encoding="utf-8")
        loaded = read_knowledge(scratch, placeholders)
    return None if loaded.errors else (loaded, saved_at)
