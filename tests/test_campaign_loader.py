"""Campaign YAML: the shipped samples, `file:line` errors officers can act on, time rules."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.campaigns.loader import LoadContext, load_file, load_text
from bot.campaigns.schedule import blocked_until, make_trigger, next_fire, quiet_window
from bot.campaigns.yamlsource import CampaignError
from bot.config import AgencySettings, CampaignSettings

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CTX = LoadContext(CampaignSettings().topics, AgencySettings().placeholders(), TZ)
SAMPLES = Path(__file__).resolve().parents[1] / "campaigns"


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CampaignError) as info:
        load_file(path, CTX)
    return [p.replace(str(path), "bad.yaml") for p in info.value.problems]


def test_samples_from_the_plan_are_valid_and_disabled() -> None:
    campaigns = [load_file(path, CTX) for path in sorted(SAMPLES.glob("*.yaml"))]
    assert {c.channel for c in campaigns} == {"consultation", "article"} and len(campaigns) >= 5
    assert not any(c.enabled for c in campaigns)
    column = next(c for c in campaigns if c.id == "chuyen-muc-cchc-dinh-ky")
    trigger = make_trigger(column.schedule, TZ)
    firsts = [next_fire(trigger, datetime(2025, 1, 1, tzinfo=TZ))]
    while (following := trigger.get_next_fire_time(firsts[-1], firsts[-1])) is not None:
        firsts.append(following)
    assert [f.strftime("%a %d/%m %H:%M") for f in firsts[:3]] == ["Mon 07/04 08:00", "Mon 05/05 08:00", "Mon 02/06 08:00"]
    assert len(firsts) == 9 and all(f.weekday() == 0 and f.day <= 7 for f in firsts)


@pytest.mark.parametrize("text, expected", [
    ("title: T\naudience: {all_followers: true}\nmessage:\n  text: Chào\n  colour: red\n",
     "bad.yaml:5: trường `colour` không có trong `message`"),
    ("title: T\naudience: {topic: thue}\nmessage: {text: Chào}\n", "bad.yaml:2: chủ đề `thue` chưa khai báo"),
    ("title: T\naudience: {all_followers: true}\nschedule:\n  cron: '0 8 * * 1'\nmessage: {text: Chào}\n",
     "bad.yaml:4: thứ trong tuần viết bằng tên"),
    ("title: T\nchannel: article\naudience: {tag: hoi-nong-dan}\narticle: {}\n", "bad.yaml:3: tin bài phát rộng"),
    ("title: T\naudience: {all_followers: true}\nmessage:\n  text: Chào {ten}\n", "bad.yaml:4: không có biến `{ten}`"),
    ("title: T\naudience: {all_followers: true}\nmessage:\n  text: Chào\n  image_url: 'https://x.invalid/a.jpg'\n"
     "  buttons: [{title: A, url: 'https://x.invalid'}]\n", "bad.yaml:3: Zalo không gửi ảnh và nút"),
    ("title: T\naudience: {all_followers: true}\nmessage: {text: '" + "chữ " * 600 + "'}\n", "bad.yaml:3: nội dung dài"),
    ("title: T\ntitle: U\naudience: {all_followers: true}\nmessage: {text: Chào}\n",
     "bad.yaml:2: trường `title` được viết hai lần"),
    ("title: T\naudience: {all_followers: true}\nschedule: {at: 'mai 8 giờ'}\nmessage: {text: Chào}\n",
     "bad.yaml:3: thời gian `mai 8 giờ` không đúng dạng"),
    ("title: T\naudience: {all_followers: true}\nmessage:\n  text: Chào\n  buttons:\n    - {title: A, url: 'http://a'}\n",
     "bad.yaml:6: `url` \"http://a\" phải là địa chỉ https:// với tên miền thật"),
    ("title: T\naudience: {all_followers: true}\nmessage:\n  text: Chào\n  buttons:\n    - {title: A, url: 'https://a'}\n",
     "bad.yaml:6: `url` \"https://a\" phải là địa chỉ https://"),
    ("title: T\naudience: {all_followers: true}\nmessage:\n  text: Chào\n  buttons:\n    - {title: A, phone: 'abc'}\n",
     "bad.yaml:6: `phone` \"abc\" không phải số điện thoại Việt Nam"),
    ("title: T\naudience: {all_followers: true}\nmessage:\n  text: Chào\n  buttons:\n    - {title: A, phone: '0123'}\n",
     "bad.yaml:6: `phone` \"0123\" không phải"),
    ("title: T\n  audience: x\n", "bad.yaml:2: lỗi cú pháp YAML: có dấu hai chấm giữa câu"),
    ("title: T\naudience: {all_followers: true}\nenabled true\nmessage: {text: Chào}\n",
     "bad.yaml:3: lỗi cú pháp YAML: thiếu dấu hai chấm sau tên trường"),
    ("title: T\naudience: {all_followers: true}\nmessage: {text: 'Chào}\n", "bad.yaml:3: lỗi cú pháp YAML: thiếu dấu ngoặc kép"),
])
def test_mistakes_are_reported_with_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    problems = _problems(tmp_path, text)
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize("phone", ["0912 345 678", "024.3812.3456", "+84912345678", "19001234", "1800 1234", "1022"])
def test_vietnamese_phone_numbers_are_accepted(phone: str) -> None:
    text = (f"title: T\naudience: {{all_followers: true}}\nmessage:\n  text: Chào\n  buttons:\n"
            f"    - {{title: A, phone: '{phone}'}}\n")
    campaign = load_text(text, "ok.yaml", CTX, default_id="ok")
    assert campaign.content.buttons[0].value.lstrip("+").isdigit()


def test_schedule_times_are_vietnam_time_whatever_the_server_clock() -> None:
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        campaign = load_file(SAMPLES / "tin-cchc-hang-tuan.yaml", CTX)
        due = next_fire(make_trigger(campaign.schedule, TZ), datetime(2025, 6, 1, tzinfo=UTC))
    finally:
        os.environ.pop("TZ") if previous is None else os.environ.update(TZ=previous)
        time.tzset()
    assert due.astimezone(UTC) == datetime(2025, 6, 3, 2, 0, tzinfo=UTC)  # Tuesday 09:00 +07


@pytest.mark.parametrize("local, channel, quiet, expected", [
    ("21:30", "consultation", "21:00-07:00", "07:00"),
    ("12:00", "consultation", "21:00-07:00", None),
    ("23:00", "consultation", "", None),  # consultation messages go out 24/24 at Zalo
    ("23:00", "article", "", "06:05"),  # Zalo's night rule for broadcasts
    ("05:30", "template", "05:00-06:03", "06:05"),  # one window ends inside the other
])
def test_quiet_hours_and_night_rule(local: str, channel: str, quiet: str, expected: str | None) -> None:
    now = datetime.combine(datetime(2025, 6, 2).date(), datetime.strptime(local, "%H:%M").time(), TZ)
    until = blocked_until(now, channel, quiet_window(quiet))
    assert (until.strftime("%H:%M") if until else None) == expected
