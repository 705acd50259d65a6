"""`kb check`: the structural checks of the loader plus the checks that need the real matcher.

- `examples`: each example question must be answered with its own entry, using the matcher
  with the deployment's settings. Answered with another entry, or not found at all, is an
  error; offered only as one of the suggestions is a warning (the citizen is one tap away).
- collisions: two entries with a phrasing that normalises to the same text (error), or a
  phrasing for which the matcher scores another entry as high or within the answer margin
  (warning: that phrasing gets suggestions instead of an answer).

- `meaning-confused` (warning): entries the meaning signal confuses with each other, and
  `meaning-off` (warning) when the meaning signal is configured but its engine cannot load.
The running bot does not run these on reload: a deployment's matcher settings must never stop
otherwise valid content from loading. CI and staff run them with `python -m bot kb check`.
The same goes for the dated checks (bot/knowledge/freshness.py): `reviewed` missing or in the
future, `valid_until` and `review_by` passed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from rapidfuzz import fuzz

from bot.config import Config
from bot.kb_model import Entry
from bot.knowledge.freshness import freshness_problems
from bot.knowledge.loader import Loaded, read_knowledge
from bot.knowledge.problems import ERROR, WARNING, Problem, sort_problems
from bot.matcher import Match, Matcher, build_matcher, semantic_status
from bot.matcher.decision import HAND_RULES, clear_if_uncovered_word, short_tie_backed
from bot.matcher.normalize import normalize


@dataclass
class Report:
    loaded: Loaded
    problems: list[Problem]
    matcher_checked: bool  # False when structural errors made the matcher checks pointless

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def check(directory: str | Path, config: Config, today: date | None = None) -> Report:
    """Every problem; dates (`reviewed`, `valid_until`, `review_by`) are judged against `today`
    (default: today in the configured timezone)."""
    loaded = read_knowledge(directory, config.agency.placeholders())
    dated = freshness_problems(loaded, today or datetime.now(ZoneInfo(config.timezone)).date())
    if loaded.errors:
        return Report(loaded, sort_problems(loaded.problems + dated), matcher_checked=False)
    matcher = build_matcher(loaded.kb, config.matcher)
    problems = (loaded.problems + dated + example_problems(loaded, matcher) + collision_problems(loaded, matcher)
                + meaning_problems(loaded, matcher) + _meaning_off(directory, config))
    return Report(loaded, sort_problems(problems), matcher_checked=True)


def example_problems(loaded: Loaded, matcher: Matcher) -> list[Problem]:
    problems = []
    for entry in loaded.kb.entries:
        source = loaded.sources[entry.id]
        for example, line in zip(entry.examples, source.example_lines, strict=True):
            problem = _example_problem(loaded, matcher, entry, example)
            if problem is not None:
                message, code, severity, related = problem
                problems.append(Problem(source.file, line, message, code, severity, related, f"{entry.id}: {example}"))
    return problems


def _example_problem(loaded: Loaded, matcher: Matcher, entry: Entry, example: str) -> tuple[str, str, str, str] | None:
    match = matcher.answer(example)
    quoted = f"câu ví dụ \"{example}\""
    if match.tier == "answer" and match.entry is not None:
        if match.entry.id == entry.id:
            return None
        other = loaded.sources[match.entry.id]
        return (f"{quoted} được trả lời bằng mục `{match.entry.id}` chứ không phải mục này", "example-wrong-entry",
                ERROR, f"{other.file}:{other.line}")
    if any(s.id == entry.id for s in match.suggestions):
        return (f"{quoted} chỉ được gợi ý chứ chưa được trả lời thẳng ({_why_suggested(matcher, entry, match)}): "
                "thêm vào `alternatives` một cách hỏi gần với câu này", "example-suggested", WARNING, "")
    if match.candidates and match.candidates[0][0].id == entry.id:
        why = (f"mục này đứng đầu nhưng độ tin cậy chỉ {match.score:.3f}, "
               f"dưới ngưỡng gợi ý {matcher.settings.suggest_threshold:.2f}")
    else:
        why = f"gần nhất là mục `{match.candidates[0][0].id}`" if match.candidates else "không có mục nào gần"
    return (f"{quoted} không tìm ra mục này ({why}): thêm vào `alternatives` một cách hỏi gần với câu này",
            "example-unmatched", ERROR, "")


def _why_suggested(matcher: Matcher, entry: Entry, match: Match) -> str:
    """Why an example its own entry leads is only offered, in the decision's own terms: staff
    fix an unknown word with a phrasing that uses it, and a close rival with a phrasing that
    tells the two apart, so naming the wrong cause sends them the wrong way."""
    (top, score), rivals = match.candidates[0], match.candidates[1:]
    if top.id != entry.id:
        return f"mục `{top.id}` đứng trước với độ tin cậy {score:.2f}"
    rival = max(rivals, key=lambda candidate: candidate[1], default=None)  # the strongest lexical rival
    evidence, settings = match.signals, matcher.settings
    model = matcher.decision.model_for(evidence) if evidence is not None else None
    if evidence is None or model is None:  # lexical-only: the old thresholds decide
        if score < settings.answer_threshold or rival is None:
            return f"độ tin cậy {score:.3f}, dưới ngưỡng trả lời {settings.answer_threshold:.2f}"
        return f"mục `{rival[0].id}` quá sát: {score:.2f} so với {rival[1]:.2f}"
    blocked = next((rule for rule in HAND_RULES if not rule(evidence, settings)), None)
    if blocked is clear_if_uncovered_word:
        words = ", ".join(f"“{word}”" for word in evidence.uncovered)
        return (f"từ {words} chưa có trong câu hỏi ngắn hay câu trả lời nào của kho, "
                "và nghĩa của câu chưa chỉ rõ một mục")
    if blocked is short_tie_backed and rival is not None:
        return (f"mục `{rival[0].id}` quá sát: {score:.2f} so với {rival[1]:.2f}, "
                "và tín hiệu ngữ nghĩa không chọn cùng mục")
    return f"độ chắc chắn {model.probability(evidence):.2f}, dưới ngưỡng trả lời {model.answer_at:.2f}"


def collision_problems(loaded: Loaded, matcher: Matcher) -> list[Problem]:
    """Phrasings the matcher cannot tell apart: same normalised text, or scores too close."""
    problems: list[Problem] = []
    seen: dict[str, tuple[Entry, int]] = {}
    for entry in loaded.kb.entries:
        source = loaded.sources[entry.id]
        written: dict[str, int] = {}
        for phrasing, line in zip(entry.phrasings, source.phrasing_lines, strict=True):
            same = written.setdefault(" ".join(phrasing.lower().split()), line)
            if same != line:
                problems.append(Problem(source.file, line, f"cách hỏi \"{phrasing}\" được viết hai lần trong mục này",
                                        "duplicate-phrasing", WARNING, related=f"{source.file}:{same}"))
                continue
            first = seen.setdefault(" ".join(normalize(phrasing, loaded.kb.abbreviations)), (entry, line))
            if first[0] is entry:
                problems.extend(_close_call(loaded, matcher, entry, phrasing, line))
                continue
            place = loaded.sources[first[0].id]
            problems.append(Problem(source.file, line, f"cách hỏi \"{phrasing}\" trùng với một cách hỏi của mục "
                                    f"`{first[0].id}` (sau khi bỏ dấu, viết tắt, từ đệm): bot không biết chọn mục nào",
                                    "collision", related=f"{place.file}:{first[1]}"))
    return problems


def _close_call(loaded: Loaded, matcher: Matcher, entry: Entry, phrasing: str, line: int) -> list[Problem]:
    # Lexical scores: a phrasing's meaning is its own (similarity 1.0 to itself), and
    # `meaning_problems` covers entries the meaning signal confuses.
    ranked = matcher.rank(phrasing, limit=3, meaning=False)
    own = next((score for e, score in ranked if e.id == entry.id), 0.0)
    rival = next(((e, score) for e, score in ranked if e.id != entry.id), None)
    if rival is None or own - rival[1] >= matcher.settings.answer_margin:
        return []
    other, score = rival
    where = _nearest_phrasing(loaded, other, phrasing)
    return [Problem(loaded.sources[entry.id].file, line,
                    f"cách hỏi \"{phrasing}\" quá giống mục `{other.id}` (điểm {own:.2f} so với {score:.2f}): "
                    "người hỏi đúng câu này sẽ chỉ nhận gợi ý; viết cụ thể hơn hoặc gộp hai mục",
                    "collision", WARNING, related=where, subject=f"{entry.id}: {phrasing}")]


CONFUSED_SHARE = 0.5  # share of an entry's phrasings the meaning signal puts nearer another entry


def meaning_problems(loaded: Loaded, matcher: Matcher) -> list[Problem]:
    """Entries the meaning signal confuses: for at least half of an entry's phrasings, another
    entry's phrasing is closer in meaning than any of the entry's other phrasings. The lexical
    signal alone then has to tell them apart, so their wording must differ. Judged in the
    model's own space: the contrast space the ranking compares in (semantic.py) is fitted to
    stretch whatever tells the knowledge base's entries apart, so it would hide two entries
    that ask the same thing."""
    if matcher.meaning is None:
        return []
    matrix, owner = matcher.meaning.matrix, matcher.meaning.entry_of_doc
    problems = []
    for a, entry in enumerate(loaded.kb.entries):
        docs = np.flatnonzero(owner == a)
        if len(docs) < 2:
            continue
        rivals: Counter[int] = Counter()
        for i in docs:
            similarity = matrix @ matrix[i]
            own = max(similarity[j] for j in docs if j != i)
            others = np.where(owner != a, similarity, -1.0)
            if others.max() > own:
                rivals[int(owner[int(others.argmax())])] += 1
        for b, count in rivals.items():
            if count / len(docs) >= CONFUSED_SHARE:
                other = loaded.kb.entries[b]
                source = loaded.sources[entry.id]
                problems.append(Problem(
                    source.file, source.phrasing_lines[0],
                    f"về nghĩa, {count}/{len(docs)} cách hỏi của mục này gần mục `{other.id}` hơn các cách hỏi "
                    "còn lại của chính nó: bot chỉ còn dựa vào từ ngữ để phân biệt, hãy viết các cách hỏi nêu rõ "
                    "điểm khác nhau giữa hai mục", "meaning-confused", WARNING,
                    related=f"{loaded.sources[other.id].file}:{loaded.sources[other.id].phrasing_lines[0]}",
                    subject=f"{entry.id}~{other.id}"))
    return problems


def _meaning_off(directory: str | Path, config: Config) -> list[Problem]:
    """The meaning signal is configured but its engine cannot load: say so where staff look."""
    status = semantic_status(config.matcher)
    if status.enabled or not config.matcher.semantic:
        return []
    return [Problem(str(directory), 0, f"tín hiệu ngữ nghĩa không hoạt động, bot chỉ so khớp từ ngữ: {status.reason}",
                    "meaning-off", WARNING)]


def _nearest_phrasing(loaded: Loaded, entry: Entry, phrasing: str) -> str:
    source = loaded.sources[entry.id]
    scores = [fuzz.ratio(phrasing.lower(), p.lower()) for p in entry.phrasings]
    return f"{source.file}:{source.phrasing_lines[scores.index(max(scores))]}"
