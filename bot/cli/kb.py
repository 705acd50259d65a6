"""`python -m bot kb`: tools for the staff who own the knowledge base.

- `kb check`: every problem as `file:line: message`; exit 0 when clean, 1 on errors (warnings too
  with --strict). Agency settings still unset in config.yaml (bot/agency.py) are warned about
  too, without failing the check. `--json` prints {"entries", "files", "errors", "warnings",
  "matcher_checked", "config_warnings", "problems": [{"file", "line", "severity", "code",
  "message", "related"}]} for machines.
- `kb unanswered`: questions the bot could not answer, grouped, with the nearest entry, then the
  answers citizens rated "Chưa đúng" (section "Trả lời chưa đúng", shown even once the bot
  "now answers": a wrong answer is worse than none); `--yaml` for a paste-able snippet;
  `--apply ENTRY_ID --group GROUP_ID` (or `--question TEXT`) writes the question into that entry's
  alternatives and re-validates. Group ids are short hashes of the question shown, so they do
  not shift when another group is applied. The running server reloads the edit.
- `kb check --affected-by DOCUMENT`: the entries citing a legal document (by its number), to
  re-check when that document changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import agency
from bot.clock import iso
from bot.config import Config, load_config
from bot.knowledge import KnowledgeBase, lastgood, read_knowledge
from bot.knowledge.edit import EditError, apply_alternative
from bot.knowledge.freshness import affected_by
from bot.knowledge.unanswered import Group, group, yaml_snippet
from bot.knowledge.validate import check
from bot.matcher import build_matcher, semantic_status
from bot.wiring import open_storage

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
    checker.add_argument("--affected-by", metavar="DOCUMENT",
                         help='list the entries resting on this legal document, e.g. "118/2025/NĐ-CP" '
                              "(matched by its number in legal_basis, else in source)")
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
    source.add_argument("--group", metavar="GROUP_ID", help="with --apply: the question of the group with this id "
                                                            "(shown in brackets in the report)")
    source.add_argument("--question", metavar="TEXT", help="with --apply: this text")
    report.set_defaults(func=run_unanswered)


def _knowledge_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: knowledge_dir in config)")


def run_check(args: argparse.Namespace) -> int:
    config = load_config()
    if args.affected_by:
        return _affected_by(args, config)
    report = check(args.knowledge or config.knowledge_dir, config)
    failed = bool(report.errors) or (args.strict and bool(report.warnings))
    unset = agency.warnings(config.agency)  # deployment settings, not knowledge problems: never fail the check
    if args.json:
        print(json.dumps({"entries": len(report.loaded.kb.entries), "files": len(report.loaded.kb.topics),
                          "errors": len(report.errors), "warnings": len(report.warnings),
                          "matcher_checked": report.matcher_checked, "config_warnings": unset,
                          "semantic": semantic_status(config.matcher).as_dict(),
                          "problems": [p.to_json() for p in report.problems]}, ensure_ascii=False, indent=2))
        return int(failed)
    for problem in report.problems:
        print(problem)
    for warning in unset:
        print(warning)
    print(f"{len(report.loaded.kb.entries)} mục trong {len(report.loaded.kb.topics)} tệp chủ đề: "
          f"{len(report.errors)} lỗi, {len(report.warnings)} cảnh báo.")
    status = semantic_status(config.matcher)
    print(f"Tín hiệu ngữ nghĩa: {'bật (' + str(status.model) + ')' if status.enabled else 'tắt — ' + status.reason}.")
    if not report.matcher_checked:
        print("Kiểm tra câu ví dụ và cách hỏi trùng nhau sẽ chạy khi các lỗi trên đã được sửa.")
    if report.errors:
        saved = lastgood.load(Path(args.knowledge or config.knowledge_dir))
        print(f"Bot vẫn trả lời bằng phiên bản hợp lệ gần nhất (lưu lúc {saved[1]}) cho đến khi các lỗi được sửa."
              if saved else "Chưa có phiên bản hợp lệ nào được lưu: bot sẽ không khởi động được cho đến khi sửa xong.")
    return int(failed)


def _affected_by(args: argparse.Namespace, config: Config) -> int:
    """The entries to re-check when `--affected-by` changes; exit 2 when the directory has errors."""
    loaded = read_knowledge(args.knowledge or config.knowledge_dir, config.agency.placeholders())
    citations = affected_by(loaded, args.affected_by)
    if args.json:
        print(json.dumps({"document": args.affected_by, "entries": [
            {"id": c.entry.id, "file": c.entry.file, "line": c.line, "field": c.field, "cites": c.text,
             "reviewed": c.entry.reviewed} for c in citations]}, ensure_ascii=False, indent=2))
    else:
        for c in citations:
            print(f"{c.entry.file}:{c.line}: {c.entry.id} (rà soát {c.entry.reviewed or 'chưa ghi'}): {c.field}: {c.text}")
        print(f"{len(citations)} mục dựa trên văn bản \"{args.affected_by}\"." if citations
              else f"Không có mục nào dựa trên văn bản \"{args.affected_by}\".")
    if loaded.errors:
        print(f"Lưu ý: cơ sở kiến thức đang có {len(loaded.errors)} lỗi, mục bị lỗi không được liệt kê "
              "(python -m bot kb check).", file=sys.stderr)
        return 2
    return 0


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
    unanswered, wrong = _groups(args, loaded.kb, config)
    if args.apply:
        return _apply_group(directory, args.apply, args.group, unanswered + wrong, config)
    shown = [g for g in unanswered if args.all or g.tier != "answer"]
    if args.yaml:
        print(yaml_snippet(shown[:args.limit], loaded.sources, config.matcher.suggest_threshold), end="")
    else:
        _print_report(shown, args.limit, loaded.sources, config)
        _print_wrong(wrong, args.limit, loaded.sources, config)
        if shown or wrong:
            print("Thêm câu của một nhóm làm cách hỏi của một mục: "
                  "python -m bot kb unanswered --apply ID_MỤC --group MÃ_NHÓM")
    return 0


def _groups(args: argparse.Namespace, kb: KnowledgeBase, config: Config) -> tuple[list[Group], list[Group]]:
    """(questions not answered, answers rated wrong), each most asked first."""
    storage = open_storage(config)
    since = iso(datetime.combine(args.since, time(), ZoneInfo(config.timezone))) if args.since else ""
    matcher = build_matcher(kb, config.matcher)
    return group(storage, matcher, since), group(storage, matcher, since, wrong=True)


def _apply_group(directory: str, entry_id: str, group_id: str | None, groups: list[Group], config: Config) -> int:
    """Apply the group the staff member saw, by its stable id; never a group that merely took its place."""
    if not group_id:
        print("cần --group MÃ_NHÓM (mã trong ngoặc vuông của báo cáo) hoặc --question TEXT", file=sys.stderr)
        return 2
    wanted = group_id.strip().strip("[]#").lower()
    found = next((g for g in groups if g.id == wanted), None)
    if found is None:
        print(f"Không có nhóm mã `{group_id}` trong báo cáo hiện tại: câu đại diện của nhóm có thể đã đổi vì có thêm "
              "câu hỏi mới. Không thêm gì. Chạy lại python -m bot kb unanswered để xem mã hiện tại.", file=sys.stderr)
        return 2
    return _apply(directory, entry_id, found.question, config)


def _when(g: Group, config: Config) -> str:
    return datetime.fromisoformat(g.last_asked).astimezone(ZoneInfo(config.timezone)).strftime("%Y-%m-%d %H:%M")


def _print_group(g: Group, config: Config) -> None:
    people = f", {len(g.askers)} người" if g.askers else ""
    print(f"  [{g.id}] {g.count} lượt{people}, gần nhất {_when(g, config)}: \"{g.question}\"")
    others = [q for q in g.asked if q != g.question][:3]
    if others:
        print("     cách hỏi khác: " + "; ".join(f"\"{q}\"" for q in others))


def _where(entry_id: str, sources: dict) -> str:
    where = sources.get(entry_id)
    return f"{entry_id} ({where.file}:{where.line})" if where else f"{entry_id} (không còn trong cơ sở kiến thức)"


def _heading(what: str, groups: list[Group], limit: int) -> list[Group]:
    """Print a section's heading (how many, in how many groups, how many shown); the groups to show."""
    shown = groups[:limit]
    print(f"{what}, {len(groups)} nhóm" + (f" (hiện {len(shown)} nhóm đầu)" if len(shown) < len(groups) else "") + ":")
    return shown


def _print_report(groups: list[Group], limit: int, sources: dict, config: Config) -> None:
    if not groups:
        print("Không có câu hỏi nào bot chưa trả lời được trong khoảng thời gian này.")
        return
    for g in _heading(f"{sum(g.count for g in groups)} lượt hỏi bot chưa trả lời được", groups, limit):
        _print_group(g, config)
        if g.nearest is not None and g.nearest.id in sources:
            print(f"     mục gần nhất: {_where(g.nearest.id, sources)} {g.score:.2f}; {_NOW[g.tier]}")
        else:
            print(f"     chưa có mục nào gần; {_NOW[g.tier]}")


def _print_wrong(groups: list[Group], limit: int, sources: dict, config: Config) -> None:
    """Answers rated "Chưa đúng", whatever the bot does now: staff decide whether the entry is wrong."""
    if not groups:
        return
    for g in _heading(f"Trả lời chưa đúng: {sum(g.count for g in groups)} lượt người dân bấm «Chưa đúng»", groups, limit):
        _print_group(g, config)
        given = [entry_id for entry_id, _ in g.given.most_common()]
        if given:
            print("     bot đã trả lời bằng mục: " + ", ".join(_where(e, sources) for e in given))
        if g.tier == "answer" and g.nearest is not None:
            same = " (vẫn là mục bị chê)" if g.nearest.id in given else ""
            print(f"     nay trả lời bằng mục: {_where(g.nearest.id, sources)}{same}")
        else:
            print(f"     {_NOW[g.tier]}")


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
