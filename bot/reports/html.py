"""The report as one self-contained HTML page (no scripts, no CDN): tables and CSS bars, for the
`report --format html` file and for the web console, which embeds `render_html(report)`."""

from __future__ import annotations

from html import escape
from typing import Any

from bot.reports.labels import CAMPAIGN_COLUMNS, FIGURES, SECTIONS, SURVEY_KINDS, local_date, overview, period_title

STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
td.n{text-align:right}.bar{display:inline-block;height:.8rem;background:#2b6cb0;vertical-align:middle}
.bar.b{background:#c05621}.note{color:#555;font-style:italic}"""


def render_html(report: dict[str, Any], *, full_page: bool = True) -> str:
    """The report as HTML; `full_page=False` gives the body only, to place inside another page."""
    period = report["period"]
    parts = [f"<h1>{escape(period_title(report))}</h1>",
             f"<p>Từ {local_date(period['from'])} đến {local_date(period['to'])}"
             f" · lập lúc {escape(period['generated_at'][:16].replace('T', ' '))}"
             + ("" if period["closed"] else " · <span class='note'>kỳ chưa kết thúc, số liệu còn thay đổi</span>") + "</p>",
             _table(("Chỉ tiêu", "Số liệu"), overview(report))]
    questions = report["questions"]
    parts += [f"<h2>{SECTIONS['questions']}</h2>",
              _bars([(t["name"], t["received"]) for t in questions["by_topic"]]),
              _table(("Lĩnh vực", "Tiếp nhận", "Đã trả lời", "Gợi ý câu hỏi", "Chưa có câu trả lời"),
                     [(t["name"], t["received"], t["answered"], t["suggested"], t["fallback"]) for t in questions["by_topic"]]),
              "<h3>Câu hỏi chưa có câu trả lời nhiều nhất</h3>",
              _table(("Câu hỏi", "Số lần hỏi"), [(q["question"], q["count"]) for q in questions["top_unanswered"]])]
    ratings = report["ratings"]
    parts += [f"<h2>{SECTIONS['ratings']}</h2>",
              _table(("Lĩnh vực", "Hữu ích", "Chưa đúng", "Tỷ lệ hữu ích"),
                     [(t["name"], t["useful"], t["not_useful"], _pct(t["useful_share"])) for t in ratings["by_topic"]]
                     + [("Tổng cộng", ratings["useful"], ratings["not_useful"], _pct(ratings["useful_share"]))]),
              _table(("Khảo sát mức độ hài lòng", "Đã hỏi", "Hài lòng", "Chưa hài lòng"),
                     [(label, ratings["survey"][kind]["asked"], ratings["survey"][kind]["satisfied"],
                       ratings["survey"][kind]["unsatisfied"]) for kind, label in SURVEY_KINDS.items()])]
    parts += [f"<h2>{SECTIONS['tickets']}</h2>",
              _table(("Chỉ tiêu", "Số liệu"), [(FIGURES[f"tickets.{k}"], report["tickets"][k]) for k in
                                               ("received", "resolved", "resolved_on_time", "median_hours_to_resolve",
                                                "still_open")]),
              f"<h2>{SECTIONS['handoffs']}</h2>",
              _table(("Chỉ tiêu", "Số liệu"), [(FIGURES[f"handoffs.{k}"], report["handoffs"][k]) for k in
                                               ("count", "answered_by_staff", "median_wait_minutes")]),
              f"<h2>{SECTIONS['campaigns']}</h2>",
              _table([title for _, title in CAMPAIGN_COLUMNS] + ["Ghi chú"],
                     [[c[key] for key, _ in CAMPAIGN_COLUMNS] + [c["note"]] for c in report["campaigns"]])]
    for campaign in report["campaigns"]:
        if campaign["delivered"]:
            parts.append(f"<p>{escape(campaign['title'])}</p>" + _bars(
                [("Đã gửi", campaign["delivered"]), ("Đã nhận", campaign["received"]), ("Đã xem", campaign["seen"]),
                 ("Đã trả lời", campaign["replied"]), ("Đã bấm nút", campaign["clicked"])]))
    if "comparison" in report:
        comparison = report["comparison"]
        parts += [f"<h2>{SECTIONS['comparison']} ({escape(comparison['previous_period'])})</h2>",
                  _table(("Chỉ tiêu", "Kỳ này", "Kỳ trước", "Chênh lệch"),
                         [(FIGURES.get(k, k), v["current"], v["previous"], f"{v['change']:+d}")
                          for k, v in comparison["figures"].items()])]
    body = "\n".join(parts)
    if not full_page:
        return body
    return (f"<!DOCTYPE html>\n<html lang='vi'><head><meta charset='utf-8'><title>{escape(period_title(report))}</title>"
            f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")


def _cell(value: Any) -> str:
    if value is None:
        return "<td>–</td>"
    if isinstance(value, int):
        return f"<td class='n'>{value:,}</td>".replace(",", ".")
    if isinstance(value, float):
        return f"<td class='n'>{value}</td>".replace(".", ",")
    return f"<td>{escape(str(value))}</td>"


def _table(headers: Any, rows: Any) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _bars(items: list[tuple[str, int | None]]) -> str:
    """A horizontal bar per item, scaled to the largest: a chart without scripts or images."""
    top = max((v or 0 for _, v in items), default=0) or 1
    rows = "".join(f"<tr><td>{escape(label)}</td><td class='n'>{value or 0}</td>"
                   f"<td><span class='bar' style='width:{round(300 * (value or 0) / top)}px'></span></td></tr>"
                   for label, value in items)
    return f"<table class='chart'>{rows}</table>"


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.1f}".replace(".", ",") + " %"
