"""Campaign pages (officers): list, create/edit form with live audience count and Zalo preview,
pause/resume/cancel, send now with a dry-run count, and the report over all runs with CSV."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound

from bot.campaigns.loader import load_text
from bot.campaigns.model import Audience
from bot.campaigns.service import CampaignActionError, CampaignNotFound, Campaigns
from bot.campaigns.yamlsource import CampaignError
from console import auth
from console.campaign_files import campaign_path, read, save
from console.campaign_form import (
    BUTTON_KINDS,
    DAY_LABELS,
    SCHEDULES,
    CampaignForm,
    audience_words,
    describe,
    digest,
    from_request,
    from_spec,
    time_warnings,
)
from console.format import REASONS

blueprint = Blueprint("campaigns", __name__, url_prefix="/campaigns")
blueprint.before_request(auth.require("campaigns"))
ACTIONS = {"pause": "tạm dừng", "resume": "tiếp tục", "cancel": "hủy"}


def _campaigns() -> Campaigns:
    return current_app.extensions["runtime"].campaigns


def _config() -> Any:
    return current_app.extensions["runtime"].config


def _directory() -> Path:
    return Path(_config().console.campaigns_dir)


@blueprint.errorhandler(CampaignNotFound)
def _not_found(exc: CampaignNotFound):
    return auth.error_page(NotFound(f"Không có chiến dịch này ({exc})."))


@blueprint.get("/")
def index():
    rows = _campaigns().list()
    for row in rows:
        spec = json.loads(_campaigns().row(row["id"])["spec"])
        form = from_spec(spec)
        row["schedule_words"], row["audience"] = describe(form), audience_words(form, _config().campaigns.topics)
    return render_template("console/campaigns.html", campaigns=rows)


def _form_page(form: CampaignForm, *, new: bool, status: int = 200):
    config = _config()
    placeholders = config.agency.placeholders()
    return render_template(
        "console/campaign_form.html", form=form, new=new, topics=config.campaigns.topics, schedules=SCHEDULES,
        days=DAY_LABELS, button_kinds=BUTTON_KINDS, warnings=time_warnings(form, config.campaigns.quiet_hours),
        quiet_hours=config.campaigns.quiet_hours, placeholders=placeholders,
        preview=_fill(form.text, placeholders), schedule_words=describe(form)), status


def _fill(text: str, placeholders: dict[str, str]) -> str:
    for key, value in placeholders.items():
        text = text.replace("{" + key + "}", value)
    return text


@blueprint.get("/new")
def new():
    return _form_page(CampaignForm(), new=True)


@blueprint.post("/new")
def create():
    form = from_request(request.form)
    outcome = save(_campaigns(), _directory(), form, new=True, actor=auth.actor())
    if outcome is None:
        return _form_page(form, new=True, status=400)
    auth.audit("campaigns.add", form.id, describe(form))
    flash(f"Đã tạo chiến dịch \u201c{form.title}\u201d ({describe(form)}).")
    return redirect(url_for(".show", campaign_id=form.id))


@blueprint.get("/<campaign_id>/edit")
def edit(campaign_id: str):
    campaigns = _campaigns()
    row = campaigns.row(campaign_id)
    path = campaign_path(campaigns, _directory(), campaign_id)
    text = read(path)
    spec = json.loads(row["spec"])
    if text is not None:  # the file is the source of truth: show it, even if edited by hand since
        try:
            spec = load_text(text, str(path), campaigns.store.ctx, default_id=campaign_id).spec
        except CampaignError as exc:
            flash(f"Tệp {path} đang có lỗi ({exc.problems[0]}); trang hiện bản đã thêm gần nhất.", "error")
    form = from_spec(spec, digest(text))
    if form.channel != "consultation":
        abort(409, "Chiến dịch tin bài hoặc tin mẫu chỉ sửa được trong tệp YAML (campaigns/README.md).")
    return _form_page(form, new=False)


@blueprint.post("/<campaign_id>/edit")
def update(campaign_id: str):
    _campaigns().row(campaign_id)
    form = from_request(request.form)
    form.id = campaign_id
    outcome = save(_campaigns(), _directory(), form, new=False, actor=auth.actor())
    if outcome is None:
        status = 409 if "form" in form.errors else 400
        return _form_page(form, new=False, status=status)
    auth.audit("campaigns.edit", campaign_id, describe(form))
    flash("Đã lưu chiến dịch." if outcome != "unchanged" else "Không có thay đổi nào.")
    return redirect(url_for(".show", campaign_id=campaign_id))


@blueprint.get("/audience-count")
def audience_count():
    """Live count for the form: who would receive a message now, and who is skipped why."""
    kind = request.args.get("kind", "all_followers")
    values = tuple(v.strip() for v in request.args.get("values", "").split(",") if v.strip())
    if kind not in ("all_followers", "topic", "tag", "users") or (kind != "all_followers" and not values):
        return jsonify(send=0, skipped={}, total=0)
    plan = _campaigns().audience_preview(Audience(kind, values if kind != "all_followers" else ()),
                                         request.args.get("channel", "consultation"))
    counts = dict(plan["counts"])
    send = counts.pop("send", 0)
    return jsonify(send=send, total=send + sum(counts.values()), free_48h=plan["free_48h"],
                   skipped={REASONS.get(k, k): v for k, v in counts.items()})


@blueprint.get("/<campaign_id>")
def show(campaign_id: str):
    campaigns = _campaigns()
    details = campaigns.show(campaign_id)
    spec = details["spec"]
    form = from_spec(spec)
    runs = campaigns.store.runs(campaign_id, limit=100)
    latest = next((r for r in runs if r["status"] != "missed"), None)
    report = campaigns.report(campaign_id, latest["id"]) if latest else None
    details["audience"] = audience_words(form, _config().campaigns.topics)
    return render_template("console/campaign.html", c=details, form=form, schedule_words=describe(form), runs=runs,
                           report=report, chart=_chart(runs),
                           preview=_fill(form.text, _config().agency.placeholders()))


def _chart(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per run (oldest first): delivered / skipped / failed counts and bar widths in percent."""
    bars = []
    peak = max([sum(r["counts"].values()) for r in runs] + [1])
    for run in reversed(runs):
        if run["status"] == "missed":
            continue
        counts = run["counts"]
        parts = {"sent": counts.get("sent", 0) + counts.get("sandbox", 0), "skipped": counts.get("skipped", 0),
                 "failed": counts.get("failed", 0) + counts.get("ambiguous", 0),
                 "pending": counts.get("pending", 0) + counts.get("sending", 0)}
        bars.append({"run": run, "parts": parts, "widths": {k: 100 * v / peak for k, v in parts.items()}})
    return bars


@blueprint.post("/<campaign_id>/<action>")
def act(campaign_id: str, action: str):
    if action not in ACTIONS:
        abort(404)
    try:
        message = getattr(_campaigns(), action)(campaign_id)
    except CampaignNotFound:
        raise
    except CampaignActionError as exc:
        flash(f"Không {ACTIONS[action]} được: {exc}", "error")
        return redirect(url_for(".show", campaign_id=campaign_id))
    auth.audit(f"campaigns.{action}", campaign_id)
    flash(message)
    return redirect(url_for(".show", campaign_id=campaign_id))


@blueprint.get("/<campaign_id>/send-now")
def confirm_send(campaign_id: str):
    campaigns = _campaigns()
    details = campaigns.show(campaign_id)
    plan = campaigns.dry_run(campaign_id, limit=20)
    counts = dict(plan.get("counts", {}))
    send = counts.pop("send", 0)
    return render_template("console/send_now.html", c=details, plan=plan, send=send, skipped=counts)


@blueprint.post("/<campaign_id>/send-now")
def send_now(campaign_id: str):
    campaigns = _campaigns()
    try:
        started = campaigns.send_now(campaign_id, again=request.form.get("again") == "1")
    except CampaignNotFound:
        raise
    except (CampaignActionError, CampaignError) as exc:
        flash(f"Không gửi được: {exc}", "error")
        return redirect(url_for(".show", campaign_id=campaign_id))
    if not _config().server.worker_process:
        campaigns.runner.submit(started.run_id)  # otherwise the worker's scheduler picks the run up on its next tick
    auth.audit("campaigns.send-again" if started.again else "campaigns.send-now", campaign_id, f"lượt gửi {started.run_id}")
    flash(f"{started.describe()} Tải lại trang để xem tiến độ.")
    return redirect(url_for(".show", campaign_id=campaign_id))


@blueprint.get("/<campaign_id>/report.csv")
def report_csv(campaign_id: str):
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 (Vietnamese) correctly only with the byte-order mark
    try:
        _campaigns().report_csv(campaign_id, request.args.get("run", type=int), out)
    except CampaignNotFound:
        raise
    except CampaignActionError as exc:
        abort(409, str(exc))
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{campaign_id}.csv"'})
