"""Reports for the agency: engagement with the OA's messages and the periodic report
(docs/reports.md). `build_report` gathers the figures, `render_html` / `write_xlsx` present them."""

from bot.reports.build import build_report
from bot.reports.html import render_html
from bot.reports.period import Period, parse_period
from bot.reports.xlsx import write_xlsx

__all__ = ["Period", "build_report", "parse_period", "render_html", "write_xlsx"]
