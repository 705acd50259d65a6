"""`python -m bot ask`: ask the matcher questions, for staff tuning entries and for evaluation.

The JSON-lines output is a contract other tools rely on; keep its keys stable:
{"question", "tier", "id", "score", "suggestions", "answer"}, with `id` and `answer` set only
for the answer tier. Added since, never removed: "also" (the second question's entry id),
"also_offered" (that entry offered as a choice after the answer when it is less clear),
"related" (entries offered beside a fallback), "signals" (the evidence the decision read,
bot/matcher/decision.py; null fields when lexical-only), "semantic" (whether the meaning
signal was on) and "route" (the conversation route that takes the message before the FAQ, e.g.
"small talk", or null: the citizen then gets the FAQ's decision shown beside it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import TextIO

from bot.agency import Renderer, renderer
from bot.config import load_config
from bot.knowledge import KnowledgeError
from bot.knowledge.lastgood import load_or_last_good
from bot.matcher import Match, build_matcher
from bot.runtime import route_before_faq


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ask", help="match questions against the knowledge base",
        description="Match questions against the knowledge base and show the decision. "
                    "Without QUESTION arguments, reads one question per line from standard input.")
    parser.add_argument("questions", nargs="*", metavar="QUESTION", help="question(s) to match")
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: knowledge_dir in config)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_config()
    try:
        started = load_or_last_good(args.knowledge or config.knowledge_dir)
    except KnowledgeError as exc:
        print(f"knowledge error:\n{exc}", file=sys.stderr)
        return 2
    if started.errors:
        print("knowledge error (answering from the last good version, saved at "
              f"{started.saved_at}):\n" + "\n".join(started.errors), file=sys.stderr)
    kb = started.loaded.kb
    matcher = build_matcher(kb, config.matcher)
    placeholders = renderer(config.agency)
    questions = args.questions or _lines(sys.stdin)
    for question in questions:
        match = matcher.answer(question)
        if args.json:
            print(json.dumps(as_record(match, placeholders), ensure_ascii=False), flush=True)
        else:
            print_table(match, placeholders, sys.stdout)
    return 0


def as_record(match: Match, placeholders: Renderer) -> dict:
    """The JSON-lines record for one decision (see the module docstring)."""
    answered = match.entry if match.tier == "answer" else None
    return {
        "question": match.question,
        "tier": match.tier,
        "id": answered.id if answered else None,
        "score": round(match.score, 4),
        "suggestions": [entry.id for entry in match.suggestions],
        "answer": placeholders.render(answered.answer, answered.facts) if answered else None,
        "also": match.also.id if answered and match.also else None,
        "also_offered": match.also_offered.id if answered and match.also_offered else None,
        "related": [entry.id for entry in match.related],
        "signals": match.signals.as_dict() if match.signals else None,
        "semantic": bool(match.meaning),
        "route": route_before_faq(match.question),
    }


def print_table(match: Match, placeholders: Renderer, out: TextIO) -> None:
    """A readable block per question: the decision and its evidence, then the ranked candidates
    with both signals and their files: lexical confidence; meaning similarity in the model's own
    space (is it related at all?) and in the contrast space (which entry?); and the ranking
    model's probability, which orders them."""
    out.write(f"? {match.question}\n")
    route = route_before_faq(match.question)
    if route:
        out.write(f"  → ROUTED before the FAQ: {route}; the FAQ alone would decide:\n")
    out.write(f"  → {match.tier.upper()}  score {match.score:.3f}{_evidence(match)}\n")
    out.write(f"     {'lexical':>7} {'meaning':>7} {'contrast':>8} {'sure':>5}\n")
    for rank, (entry, score) in enumerate(match.candidates, 1):
        offered = (match.entry, match.also, match.also_offered, *match.suggestions, *match.related)
        marker = "*" if entry in offered else " "
        meaning, contrast, sure = (f"{column[rank - 1]:.{digits}f}" if column else "—" for column, digits in
                                   ((match.meaning, 3), (match.contrast, 3), (match.sure, 2)))
        out.write(f"  {marker}{rank}. {score:.3f} {meaning:>7} {contrast:>8} {sure:>5}  {entry.id:<40} {entry.file}  "
                  f"{entry.question}\n")
    for shown_entry in (match.entry, match.also):
        if shown_entry is not None:
            shown = shown_entry.short_answer or shown_entry.answer  # what the citizen reads first
            first_line = (placeholders.render(shown, shown_entry.facts).splitlines() or [""])[0]
            out.write(f"  answer ({shown_entry.id}): {first_line}\n")
    out.write("\n")


def _evidence(match: Match) -> str:
    e = match.signals
    if e is None:
        return ""
    text = f"  margin {e.lexical_margin:.3f}"
    if e.similarity is None:
        return text + "  (lexical only)"
    agree = "agree" if e.agree else f"meaning prefers {e.meaning_top}"
    uncovered = f"  not covered: {' '.join(e.uncovered)}" if e.uncovered else ""
    return (text + f"  meaning {e.similarity:.3f} (margin {e.meaning_margin:.3f}, {agree})  certainty {e.certainty or 0.0:.2f}"
            + uncovered)


def _lines(stream: Iterable[str]) -> Iterable[str]:
    for line in stream:
        if line.strip():
            yield line.strip()
