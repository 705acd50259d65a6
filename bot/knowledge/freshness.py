"""Freshness as data: which entries are past their dates, and which rest on a given legal document.

Dates depend on the day they are checked, so these checks run in `kb check` and `/healthz`, never
on reload: the clock must not stop otherwise valid content from loading.

Document numbers are matched by their number, the way Vietnamese legal documents are cited:
"118/2025/NĐ-CP" matches "Nghị định 118/2025/NĐ-CP", "Nghị định số 118/2025/nđ-cp ngày 9/6/2025"
and "ND 118 / 2025 / ND-CP" (diacritics, case, spaces around `/` and dash variants do not matter), but not
"18/2025/NĐ-CP" nor "118/2025/TT-BTC". A reference without a number (e.g. "Luật Hộ tịch 2014") is
matched as folded words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from bot.kb_model import Entry, KnowledgeBase
from bot.knowledge.loader import Loaded
from bot.knowledge.problems import WARNING, Problem

# number / year / issuing code: 118/2025/NĐ-CP, 74/2025/QH15, 01/2025/TT-BCA, 1234/QĐ-UBND
_NUMBER = re.compile(r"\b(\d{1,5})\s*/\s*(?:(\d{4})\s*/\s*)?([a-z][a-z0-9]*(?:-[a-z0-9]+)*)", re.IGNORECASE)
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "đ": "d", "Đ": "D"})


def _plain(text: str) -> str:
    """Lower case, without diacritics, punctuation kept (the matcher's fold drops `/` and `-`)."""
    decomposed = unicodedata.normalize("NFD", text.translate(_DASHES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def document_numbers(text: str) -> set[str]:
    """The document numbers cited in `text`, normalised: `118/2025/ND-CP`."""
    return {"/".join(part for part in (str(int(number)), year, code.upper()) if part)
            for number, year, code in _NUMBER.findall(_plain(text))}


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", _plain(text)))


def cites(reference: str, document: str) -> bool:
    """Whether `reference` (a legal_basis item, a source text) cites `document`."""
    wanted = document_numbers(document)
    if wanted:
        return bool(wanted & document_numbers(reference))
    words = _words(document)
    return bool(words) and f" {words} " in f" {_words(reference)} "


@dataclass(frozen=True)
class Citation:
    entry: Entry
    field: str  # "legal_basis" or "source"
    text: str  # the citing text as written
    line: int


def affected_by(loaded: Loaded, document: str) -> list[Citation]:
    """Every entry resting on `document`, once each: its `legal_basis` item, else its `source`."""
    found = []
    for entry in loaded.kb.entries:
        where = loaded.sources[entry.id]
        lines = where.legal_basis_lines or (where.line,) * len(entry.legal_basis)
        basis = next(((item, line) for item, line in zip(entry.legal_basis, lines, strict=True) if cites(item, document)), None)
        if basis is not None:
            found.append(Citation(entry, "legal_basis", *basis))
        elif entry.source and cites(entry.source, document):
            found.append(Citation(entry, "source", entry.source, where.line))
    return found


def stale_counts(kb: KnowledgeBase, today: date) -> dict[str, int]:
    """For /healthz: entries past `valid_until` (answered with a caveat) and past `review_by`."""
    expired = sum(entry.expired(today) for entry in kb.entries)
    overdue = sum(entry.review_due(today) for entry in kb.entries)
    stale = sum(entry.expired(today) or entry.review_due(today) for entry in kb.entries)
    return {"stale_entries": stale, "expired": expired, "review_overdue": overdue}


def freshness_problems(loaded: Loaded, today: date) -> list[Problem]:
    """`reviewed` missing or in the future (errors); `valid_until` / `review_by` passed (warnings);
    a legal basis without a document number (warning: `--affected-by` cannot find it by number)."""
    problems = []
    for entry in loaded.kb.entries:
        where = loaded.sources[entry.id]
        if not entry.reviewed:
            problems.append(Problem(where.file, where.line, f"mục `{entry.id}` thiếu `reviewed` (ngày rà soát nội dung "
                                    "gần nhất): ghi ngày thật sự đã kiểm tra, dạng NĂM-THÁNG-NGÀY", "missing-reviewed"))
        elif date.fromisoformat(entry.reviewed) > today:
            problems.append(Problem(where.file, where.line, f"mục `{entry.id}`: `reviewed: {entry.reviewed}` là ngày trong "
                                    f"tương lai (hôm nay {today.isoformat()}): ghi ngày thật sự đã kiểm tra",
                                    "future-reviewed"))
        if entry.expired(today):
            problems.append(Problem(where.file, where.line, f"mục `{entry.id}` đã hết hiệu lực từ sau ngày {entry.valid_until}: "
                                    "bot vẫn trả lời nhưng kèm lưu ý thông tin có thể đã thay đổi; hãy rà soát và cập nhật "
                                    "`valid_until`", "expired", WARNING))
        if entry.review_due(today):
            problems.append(Problem(where.file, where.line, f"mục `{entry.id}` đã quá hạn rà soát ({entry.review_by}): "
                                    "kiểm tra lại nội dung rồi cập nhật `reviewed` và `review_by`", "review-due", WARNING))
        lines = where.legal_basis_lines or (where.line,) * len(entry.legal_basis)
        for item, line in zip(entry.legal_basis, lines, strict=True):
            if not document_numbers(item):
                problems.append(Problem(where.file, line, f"căn cứ \"{item}\" không có số hiệu văn bản (ví dụ "
                                        "118/2025/NĐ-CP): `kb check --affected-by` chỉ tìm được theo đúng chữ",
                                        "legal-basis-number", WARNING))
    return problems
