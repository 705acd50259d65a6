"""`python -m bot ask`: ask the matcher questions, for staff tuning entries and for evaluation.

The JSON-lines output is a contract other tools rely on; keep its keys stable:
{"question", "tier", "id", "score", "suggestions", "answer"}, with `id` and `answer` set only
for the answer tier.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Iterable, TextIO

from bot.config import load_config
from bot.knowledge import KnowledgeError, load_knowledge
from bot.matcher import Match, build_matcher


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
        kb = load_knowledge(args.knowledge or config.knowledge_dir)
    except KnowledgeError as exc:
        print(f"knowledge error:\n{exc}", file=sys.stderr)
        return 2
    matcher = build_matcher(kb, config.matcher)
    placeholders = _Placeholders(config.agency.placeholders())
    questions = args.questions or _lines(sys.stdin)
    for question in questions:
        match = matcher.answer(question)
        if args.json:
            print(json.dumps(as_record(match, placeholders), ensure_ascii=False), flush=True)
        else:
            print_table(match, placeholders, sys.stdout)
    return 0


def as_record(match: Match, placeholders: dict[str, str]) -> dict:
    """The JSON-lines record for one decision (see the module docstring)."""
    answered = match.tier == "answer" and match.entry is not None
    return {
        "question": match.question,
        "tier": match.tier,
        "id": match.entry.id if answered else None,
        "score": round(match.score, 4),
        "suggestions": [entry.id for entry in match.suggestions],
        "answer": render(match.entry.answer, placeholders) if answered else None,
    }


def print_table(match: Match, placeholders: dict[str, str], out: TextIO) -> None:
    """A readable block per question: the decision, then the ranked candidates with their files."""
    out.write(f"? {match.question}\n  → {match.tier.upper()}  score {match.score:.3f}\n")
    for rank, (entry, score) in enumerate(match.candidates, 1):
        marker = "*" if entry is match.entry or entry in match.suggestions else " "
        out.write(f"  {marker}{rank}. {score:.3f}  {entry.id:<40} {entry.file}  {entry.question}\n")
    if match.entry is not None:
        first_line = render(match.entry.answer, placeholders).splitlines()[0]
        out.write(f"  answer: {first_line}\n")
    out.write("\n")


def render(text: str, placeholders: dict[str, str]) -> str:
    """Fill {hotline}, {portal}, … from config; unknown braces stay as written."""
    return text.format_map(placeholders)


class _Placeholders(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _lines(stream: Iterable[str]) -> Iterable[str]:
    for line in stream:
        if line.strip():
            yield line.strip()
