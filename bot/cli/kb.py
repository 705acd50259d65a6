"""`python -m bot kb`: tools for the staff who own the knowledge base.

- `kb check`: every problem as `file:line: message`; exit 0 when clean, 1 on errors (warnings too
  with --strict). `--json` prints {"entries", "files", "errors", "warnings", "matcher_checked",
  "problems": [{"file", "line", "severity", "code", "message", "related"}]} for machines.
- `kb unanswered`: questions the bot could not answer, grouped, with the nearest entry; `--yaml`
  for a paste-able snippet; `--apply ENTRY_ID --group N` (or `--question TEXT`) writes the
  question into that entry's alternatives and re-validates. The running server reloads it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.clock import iso
from bot.config import Config, load_config
from bot.knowledge import KnowledgeBase, read_knowledge
from bot.knowledge.edit import EditError, apply_alternative
from bot.knowledge.unanswered import Group, group, yaml_snippet
from bot.knowledge.validate import check
from bot.matcher import build_matcher, semantic_status
from bot.storage import Storage

_NOW = {"answer": "nay đã trả lời được", "suggest": "nay chỉ gợi ý", "fallback": "nay vẫn chưa trả lời được"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("kb", help="check and improve the knowledge base",
                                   description="Tools for the staff who edit the knowledge base (knowledge/*.yaml).")
    commands = parser.add_subparsers(dest="kb_command", metavar="SUBCOMMAND", required=True)
    checker = commands.add_parser("check", help="validate the knowledge base",
                                  description="Validate the knowledge base: YAML, fields, ids, placeholders, buttons, "
                                              "examples and collisions. Exit 0 when clean, 1 on errors.")
    _knowledge_option(checker)
    checker.add_argument("--json", action="store_true", help="print a JSON report")
    checker.add_argument("--strict", action="store_true", help="fail on warnings too")
    checker.set_defaults(func=run_check)
    report = commands.add_parser("unanswered", help="report questions the bot could not answer",
                                 description="Group the questions the bot fell back on or only offered suggestions for, "
                                             "show the nearest entry, export or apply them as alternatives.")
    _knowledge_option(report)
    report.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="only questions asked since this day")
    report.add_argument("--limit", type=int, default=20, metavar="N", help="groups to show (default 20)")
    report.add_argument("--all", action="store_true", help="include groups the current knowledge base now answers")
    report.add_argument("--yaml", action="store_true", help="print suggested alternatives as YAML")
    report.add_argument("--apply", metavar="ENTRY_ID", help="add a question to this entry's alternatives")
    source = report.add_mutually_exclusive_group()
    source.add_argument("--group", type=int, metavar="N", help="with --apply: the question of group N of this report")
    source.add_argument("--question", metavar="TEXT", help="with --apply: this text")
    report.set_defaults(func=run_unanswered)


def _knowledge_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: knowledge_dir in config)")


def run_check(args: argparse.Namespace) -> int:
    config = load_config()
    report = check(args.knowledge or config.knowledge_dir, config)
    failed = bool(report.errors) or (args.strict and bool(report.warnings))
    if args.json:
        print(json.dumps({"entries": len(report.loaded.kb.entries), "files": len(report.loaded.kb.topics),
                          "errors": len(report.errors), "warnings": len(report.warnings),
                          "matcher_checked": report.matcher_checked,
                          "semantic": semantic_status(config.matcher).as_dict(),
                          "problems": [p.to_json() for p in report.problems]}, ensure_ascii=False, indent=2))
        return int(failed)
    for problem in report.problems:
        print(problem)
    print(f"{len(report.loaded.kb.entries)} mục trong {len(report.loaded.kb.topics)} tệp chủ đề: "
          f"{len(report.errors)} lỗi, {len(report.warnings)} cảnh báo.")
    status = semantic_status(config.matcher)
    print(f"Tín hiệu ngữ nghĩa: {'bật (' + str(status.model) + ')' if status.enabled else 'tắt — ' + status.reason}.")
    if not report.matcher_checked:
        print("Kiểm tra câu ví dụ và cách hỏi trùng nhau sẽ chạy khi các lỗi trên đã được sửa.")
    return int(failed)


def run_unanswered(args: argparse.Namespace) -> int:
    config = load_config()
    directory = args.knowledge or config.knowledge_dir
    if (args.group is not None or args.question) and not args.apply:
        print("--group và --question dùng cùng với --apply ENTRY_ID", file=sys.stderr)
        return 2
    if args.apply and args.question:
        return _apply(directory, args.apply, args.question, config)
    loaded = read_knowledge(directory, config.agency.placeholders())
    if loaded.errors:
        print("Cơ sở kiến thức đang có lỗi, hãy sửa trước (python -m bot kb check):", file=sys.stderr)
        print("\n".join(str(p) for p in loaded.errors), file=sys.stderr)
        return 2
    groups = _groups(args, loaded.kb, config)
    if args.apply:
        if args.group is None or not 1 <= args.group <= len(groups):
            print(f"cần --group N (1 đến {len(groups)}) hoặc --question TEXT", file=sys.stderr)
            return 2
        return _apply(directory, args.apply, groups[args.group - 1].question, config)
    numbered = list(enumerate(groups[:args.limit], start=1))
    if args.yaml:
        print(yaml_snippet(numbered, loaded.sources, config.matcher.suggest_threshold), end="")
    else:
        _print_report(numbered, groups, loaded.sources, config)
    return 0


def _groups(args: argparse.Namespace, kb: KnowledgeBase, config: Config) -> list[Group]:
    """The report's groups in order; `--group N` numbers refer to this list."""
    storage = Storage(config.database)
    storage.migrate()
    since = iso(datetime.combine(args.since, time(), ZoneInfo(config.timezone))) if args.since else ""
    return [g for g in group(storage, build_matcher(kb, config.matcher), since) if args.all or g.tier != "answer"]


def _print_report(numbered: list[tuple[int, Group]], groups: list[Group], sources: dict, config: Config) -> None:
    tz = ZoneInfo(config.timezone)
    if not groups:
        print("Không có câu hỏi nào bot chưa trả lời được trong khoảng thời gian này.")
        return
    print(f"{sum(g.count for g in groups)} lượt hỏi bot chưa trả lời được, {len(groups)} nhóm"
          + (f" (hiện {len(numbered)} nhóm đầu)" if len(numbered) < len(groups) else "") + ":")
    for number, g in numbered:
        when = datetime.fromisoformat(g.last_asked).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        people = f", {len(g.askers)} người" if g.askers else ""
        print(f"{number:3}. {g.count} lượt{people}, gần nhất {when}: \"{g.question}\"")
        others = [q for q in g.asked if q != g.question][:3]
        if others:
            print("     cách hỏi khác: " + "; ".join(f"\"{q}\"" for q in others))
        if g.nearest is not None and g.nearest.id in sources:
            where = sources[g.nearest.id]
            print(f"     mục gần nhất: {g.nearest.id} ({g.score:.2f}, {where.file}:{where.line}); {_NOW[g.tier]}")
        else:
            print(f"     chưa có mục nào gần; {_NOW[g.tier]}")
    if numbered:
        print("Thêm câu của nhóm N làm cách hỏi của một mục: python -m bot kb unanswered --apply ID --group N")


def _apply(directory: str, entry_id: str, question: str, config: Config) -> int:
    try:
        result = apply_alternative(directory, entry_id, question, config)
    except EditError as exc:
        print(f"Không thêm được: {exc}", file=sys.stderr)
        return 1
    if not result.written:
        print("Không thêm: thay đổi này sẽ gây lỗi mới, tệp được giữ nguyên:", file=sys.stderr)
        for problem in result.new_errors:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{result.file}:{result.line}: đã thêm \"{' '.join(question.split())}\" vào alternatives của mục `{entry_id}`. "
          "Bot đang chạy sẽ tự nạp lại sau vài giây.")
    for problem in result.notes:
        print(f"  {problem}")
    return 0
