"""Saving a campaign from the console: the YAML file first (the source of truth the CLI reads),
then the same `Campaigns.add_path` the `campaigns add` command calls.

Two officers editing one campaign: the form carries a digest of the file as it was opened; if the
file changed since, nothing is written and the officer is told, with what they typed kept.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.campaigns.loader import load_text
from bot.campaigns.service import Campaigns
from bot.campaigns.yamlsource import CampaignError
from bot.clock import utc_now
from console.campaign_form import CampaignForm, digest, place_problems, to_spec, to_yaml

CONFLICT = ("Chiến dịch này vừa được người khác sửa (trong bảng điều khiển hoặc tệp YAML) sau khi bạn mở trang. "
            "Nội dung bạn nhập vẫn còn bên dưới; hãy mở lại chiến dịch trong tab khác để xem bản mới rồi sửa lại.")


def campaign_path(campaigns: Campaigns, directory: Path, campaign_id: str) -> Path:
    """The file a campaign lives in: the one it was added from when that still exists."""
    row = campaigns.store.get(campaign_id)
    source = Path(row["source"]) if row and row["source"] else None
    if source and source.suffix == ".yaml" and source.is_file():
        return source
    return directory / f"{campaign_id}.yaml"


def read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def save(campaigns: Campaigns, directory: Path, form: CampaignForm, *, new: bool, actor: str) -> str | None:
    """Write and add the campaign; returns "added"/"updated"/"unchanged", or None with `form.errors` set."""
    spec = to_spec(form)
    if form.errors:
        return None
    if new and not form.id:
        form.error("id", "Nhập mã chiến dịch (chữ thường không dấu, số, dấu gạch ngang), ví dụ tin-cchc-thang-5.")
        return None
    path = campaign_path(campaigns, directory, form.id)
    before = read(path)
    if new and (before is not None or campaigns.store.get(form.id)):
        form.error("id", f"Đã có chiến dịch mã `{form.id}`; chọn mã khác.")
        return None
    if not new and before is not None and digest(before) != form.version:
        form.error("form", CONFLICT)
        return None
    header = (f"Chiến dịch {form.title or form.id}: lưu từ bảng điều khiển bởi {actor}, {utc_now():%Y-%m-%d %H:%M} UTC.\n"
              "Có thể sửa tay rồi chạy: python -m bot campaigns add " + str(path))
    text = to_yaml(spec, header)
    source = str(path)
    try:
        load_text(text, source, campaigns.store.ctx, default_id=form.id)
    except CampaignError as exc:
        place_problems(form, exc.problems, text, source)
        return None
    _write(path, text)
    try:
        (added,) = campaigns.add_path(path)
    except CampaignError as exc:
        _restore(path, before)
        place_problems(form, exc.problems, text, source)
        return None
    form.version = digest(text)
    return added.outcome


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _restore(path: Path, before: str | None) -> None:
    if before is None:
        path.unlink(missing_ok=True)
    else:
        _write(path, before)
