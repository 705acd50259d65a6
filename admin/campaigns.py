"""Admin API for campaigns (the same operations as `python -m bot campaigns`).

GET  /campaigns                         → {"campaigns": [...]}
POST /campaigns        body: campaign YAML (or the same structure as JSON)  → 201 added / 200 updated,
                                          with `warnings` and `real_send` (when it really goes out);
                                          400 {"problems": ["request:line: …"]} when invalid
GET  /campaigns/<id>                    → details, runs, history
DELETE /campaigns/<id>                  → a cancelled campaign, its runs, delivery records and history (409 otherwise)
POST /campaigns/<id>/pause | resume | cancel
POST /campaigns/<id>/send-now           → 202 {"run_id"}: delivered in the background by this worker
POST /campaigns/<id>/send-now?again=1   → a one-off campaign that already went out, again (409 without it);
                                          `already_received` says how many of its audience got it before
POST /campaigns/<id>/send-now?dry_run=1 → who would receive it, who is skipped and why
GET  /campaigns/<id>/report[?run=N][&format=csv[&columns=codes]]  → run N of this campaign (404 if another's);
                                          CSV with Vietnamese headers and local times, machine codes with columns=codes
GET  /campaigns/<id>/report?format=csv&summary=1 → one line per run and the totals
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, current_app, jsonify, request

from admin.params import query_int
from bot.campaigns.service import CampaignActionError, CampaignNotFound, Campaigns
from bot.campaigns.yamlsource import CampaignError

blueprint = Blueprint("campaigns", __name__, url_prefix="/campaigns")


def _campaigns() -> Campaigns:
    return current_app.extensions["runtime"].campaigns


@blueprint.errorhandler(CampaignActionError)
def _refused(exc: CampaignActionError):
    return jsonify(ok=False, error=str(exc)), 404 if isinstance(exc, CampaignNotFound) else 409


@blueprint.errorhandler(CampaignError)
def _invalid(exc: CampaignError):
    return jsonify(ok=False, error="campaign is not valid", problems=exc.problems), 400


@blueprint.get("")
def list_campaigns():
    return jsonify(campaigns=_campaigns().list())


@blueprint.post("")
def add_campaign():
    text = request.get_data(as_text=True)
    if not text.strip():
        return jsonify(ok=False, error="send the campaign as YAML or JSON in the request body"), 400
    added = _campaigns().add_text(text, "request")
    return jsonify(ok=True, **added.as_json()), 201 if added.outcome == "added" else 200


@blueprint.get("/<campaign_id>")
def show_campaign(campaign_id: str):
    return jsonify(_campaigns().show(campaign_id))


@blueprint.delete("/<campaign_id>")
def delete_campaign(campaign_id: str):
    return jsonify(ok=True, message=_campaigns().delete(campaign_id))


@blueprint.post("/<campaign_id>/<action>")
def act(campaign_id: str, action: str):
    campaigns = _campaigns()
    if action in ("pause", "resume", "cancel"):
        message = getattr(campaigns, action)(campaign_id)
        return jsonify(ok=True, message=message, campaign=campaigns.summary(campaigns.row(campaign_id)))
    if action != "send-now":
        return jsonify(ok=False, error=f"unknown action {action}"), 404
    if request.args.get("dry_run") in ("1", "true"):
        return jsonify(campaigns.dry_run(campaign_id, query_int("limit", 50, minimum=1, maximum=10000)))
    started = campaigns.send_now(campaign_id, again=request.args.get("again") in ("1", "true"))
    if not current_app.extensions["runtime"].config.server.worker_process:
        campaigns.runner.submit(started.run_id)  # otherwise the worker's scheduler picks the run up on its next tick
    return jsonify(ok=True, run_id=started.run_id, resumed=started.resumed, again=started.again,
                   already_received=started.already_received, message=started.describe()), 202


@blueprint.get("/<campaign_id>/report")
def campaign_report(campaign_id: str):
    campaigns = _campaigns()
    run_id = query_int("run", None, minimum=1)
    if request.args.get("format") == "csv":
        out = io.StringIO()
        campaigns.report_csv(campaign_id, run_id, out, machine=request.args.get("columns") == "codes",
                             summary=request.args.get("summary") in ("1", "true"))
        return Response(out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{campaign_id}.csv"'})
    return jsonify(campaigns.report(campaign_id, run_id))
