"""Knowledge base pages (staff and admins): browse and search entries, "thử hỏi" (what the bot
would answer and why, as `python -m bot ask --json`), and the unanswered / "Chưa đúng" questions
with one action to add a question to an entry or start a new entry — through bot/knowledge/edit.py,
the same validated, comment-keeping edit as `kb unanswered --apply`."""

from __future__ import annotations

import unicodedata
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from bot.agency import Renderer, renderer
from bot.cli.ask import as_record  # exactly what `ask --json` shows
from bot.knowledge import unanswered
from bot.knowledge.edit import Applied, EditError, apply_alternative, apply_entry
from console import auth

blueprint = Blueprint("knowledge", __name__)
blueprint.before_request(auth.require("support"))
TIERS = {"answer": "Trả lời thẳng", "suggest": "Gợi ý \u201cCó phải bạn muốn hỏi…\u201d", "fallback": "Chưa có thông tin"}
REASONS = {"fallback": "bot chưa trả lời được", "suggest": "bot chỉ gợi ý", "rated_wrong": "người dân bấm \u201cChưa đúng\u201d"}


def _runtime() -> Any:
    return current_app.extensions["runtime"]


def fold(text: str) -> str:
    """Lower case without diacritics (đ → d), so "khai sinh" finds "Khai sinh" and "khai sinh" alike."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@blueprint.get("/knowledge")
def index():
    snapshot = _runtime().knowledge.current
    kb = snapshot.kb
    topic = request.args.get("topic", "")
    query = request.args.get("q", "").strip()
    entries = list(kb.entries) if not topic else kb.by_topic(topic)
    if query:
        needle = fold(query)
        entries = [e for e in entries if needle in fold(" ".join((e.id, *e.phrasings, e.answer, *e.tags)))]
    question = request.args.get("ask", "").strip()
    tried = None
    if question:
        match = snapshot.matcher.answer(question)
        tried = {"record": as_record(match, _placeholders()), "tier": TIERS[match.tier],
                 "candidates": [(entry, score, entry is match.entry or entry in match.suggestions)
                                for entry, score in match.candidates]}
    return render_template("console/knowledge.html", kb=kb, topic=topic, q=query, entries=entries[:200],
                           total=len(entries), ask=question, tried=tried, render=_render)


def _placeholders() -> Renderer:
    return renderer(_runtime().config.agency)


def _render(entry: Any) -> str:
    """An entry's full answer as citizens read it: facts and agency settings filled in."""
    return _placeholders().render(entry.answer, entry.facts)


@blueprint.get("/unanswered")
def unanswered_page(failed: dict[str, str] | None = None, status: int = 200):
    runtime = _runtime()
    snapshot = runtime.knowledge.current
    show_all = request.args.get("all") == "1"
    wrong = unanswered.group(runtime.storage, snapshot.matcher, wrong=True)  # "Chưa đúng": always shown
    groups = wrong + [g for g in unanswered.group(runtime.storage, snapshot.matcher) if show_all or g.tier != "answer"]
    return render_template("console/unanswered.html", groups=groups[:100], total=len(groups), kb=snapshot.kb,
                           reasons=REASONS, tiers=TIERS, failed=failed or {}, show_all=show_all,
                           threshold=runtime.config.matcher.suggest_threshold), status


blueprint.add_url_rule("/unanswered", "unanswered", unanswered_page)


@blueprint.post("/unanswered/alternative")
def add_alternative():
    """Add the posted question TEXT to the posted entry id (no group number: groups move)."""
    question, entry_id = request.form.get("question", "").strip(), request.form.get("entry_id", "").strip()
    failed = {"kind": "alternative", "question": question, "entry_id": entry_id, "key": request.form.get("key", "")}
    if not question or not entry_id:
        return unanswered_page({**failed, "error": "Chọn mục và nhập câu hỏi cần thêm."}, 400)
    try:
        result = apply_alternative(_directory(), entry_id, question, _runtime().config)
    except EditError as exc:
        return unanswered_page({**failed, "error": f"Không thêm được: {exc}."}, 409)
    return _done(result, failed, "knowledge.add-alternative", entry_id,
                 f"Đã thêm \u201c{' '.join(question.split())}\u201d vào cách hỏi của mục {entry_id}")


@blueprint.post("/unanswered/entry")
def add_entry():
    form = {k: request.form.get(k, "").strip() for k in ("topic", "entry_id", "question", "answer", "key")}
    failed = {"kind": "entry", **form}
    if not all(form[k] for k in ("topic", "entry_id", "question", "answer")):
        return unanswered_page({**failed, "error": "Cần chọn tệp chủ đề và nhập mã mục, câu hỏi, câu trả lời."}, 400)
    try:
        result = apply_entry(_directory(), form["topic"], form["entry_id"], form["question"], form["answer"],
                             _runtime().config)
    except EditError as exc:
        return unanswered_page({**failed, "error": f"Không tạo được: {exc}."}, 409)
    return _done(result, failed, "knowledge.add-entry", form["entry_id"], f"Đã tạo mục mới {form['entry_id']}")


def _done(result: Applied, failed: dict[str, str], action: str, target: str, message: str):
    if not result.written:
        problems = "; ".join(f"dòng {p.line}: {p.message}" for p in result.new_errors)
        error = f"Không lưu: thay đổi này gây lỗi mới ({problems}). Tệp được giữ nguyên."
        return unanswered_page({**failed, "error": error}, 409)
    auth.audit(action, target, f"{result.file}:{result.line}")
    notes = "".join(f" Lưu ý: {p.message}." for p in result.notes)
    flash(f"{message} ({result.file}, dòng {result.line}). Đã kiểm tra kho hỏi đáp: không có lỗi mới; "
          f"trợ lý ảo sẽ dùng nội dung mới sau vài giây.{notes}")
    return redirect(url_for(".unanswered"))


def _directory() -> str:
    return str(_runtime().config.knowledge_dir)
