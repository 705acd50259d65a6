"""The periodic report in the console (officers and admins): the same figures as
`python -m bot report`, as a page with charts, with the Excel workbook and the JSON to download."""

from __future__ import annotations

import io
import json
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, render_template, request, send_file
from markupsafe import Markup

from bot.reports.build import build_report
from bot.reports.html import STYLE, render_html
from bot.reports.period import PeriodError, local_today, parse_period
from console import auth

blueprint = Blueprint("reports", __name__)
blueprint.before_request(auth.require("campaigns"))  # officers run campaigns and reports
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.get("/reports")
def index():
    runtime = current_app.extensions["runtime"]
    wanted = request.args.get("period", "").strip() or f"{local_today(ZoneInfo(runtime.config.timezone)):%Y-%m}"
    try:
        period = parse_period(wanted)
    except PeriodError as exc:
        return render_template("console/reports.html", period=wanted, error=str(exc), body=None), 400
    report = build_report(runtime.storage, runtime.config, period)
    name = f"bao-cao-{period.label}"
    if request.args.get("format") == "xlsx":
        from bot.reports.xlsx import write_xlsx  # openpyxl only when a workbook is asked for

        workbook = io.BytesIO()
        write_xlsx(report, workbook)
        workbook.seek(0)
        return send_file(workbook, mimetype=XLSX, as_attachment=True, download_name=f"{name}.xlsx")
    if request.args.get("format") == "json":
        return Response(json.dumps(report, ensure_ascii=False, indent=2), mimetype="application/json",
                        headers={"Content-Disposition": f"attachment; filename={name}.json"})
    body = Markup(f"<style>{STYLE}</style>") + Markup(render_html(report, full_page=False))  # noqa: S704 (our own escaped HTML)
    return render_template("console/reports.html", period=wanted, error=None, body=body)
