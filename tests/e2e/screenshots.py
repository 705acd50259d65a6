"""Screenshots of the console's main pages for the README, taken in the real browser at laptop and
phone widths with sample data: `python -m tests.e2e.screenshots [OUT_DIR]` (default docs/screenshots)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bot.clock import utc_now
from bot.conversations import citizens, handoffs, tickets
from bot.knowledge import unanswered
from tests.campaignkit import add_users
from tests.consolekit import login, post
from tests.e2e.browserkit import AVAILABLE, SKIP_REASON, Browser, Served, sign_in

WIDTHS = {"laptop": (1366, 900), "phone": (390, 844)}
PAGES = {"dashboard": "/console/", "campaigns": "/console/campaigns/", "campaign-form": "/console/campaigns/new",
         "campaign": "/console/campaigns/tin-cchc-hang-tuan", "tickets": "/console/tickets/",
         "knowledge": "/console/knowledge?ask=dang+ky+tam+tru+o+dau", "unanswered": "/console/unanswered"}


def seed(served: Served) -> None:
    runtime = served.harness.runtime
    storage = runtime.storage
    add_users(storage, [f"u{i}" for i in range(12)], topic="cchc")
    for uid in ("cd1", "cd2"):
        citizens.record_interaction(storage, uid, int(time.time() * 1000))
    tickets.create(storage, "cd1", {"topic": "Đất đai", "content": "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất nộp"
                                    " từ tháng trước vẫn chưa có kết quả.", "contact": {"name": "Nguyễn Văn An"}}, utc_now())
    tickets.create(storage, "cd2", {"topic": "Thái độ phục vụ", "content": "Cán bộ tiếp nhận hướng dẫn chưa rõ."}, utc_now())
    handoffs.open_handoff(storage, "cd2", utc_now())
    matcher = runtime.knowledge.current.matcher
    for text, reason in (("xin giấy phép nuôi chim yến ở đâu", "fallback"), ("làm khai sinh khi bố mẹ chưa cưới", "fallback"),
                         ("làm khai sinh khi bố mẹ chưa cưới", "fallback"), ("đăng ký tạm trú online được không", "suggest")):
        unanswered.record(storage, text, matcher.answer(text), reason, asker=text[:3])
    for uid, text in (("cd1", "dang ky tam tru o dau"), ("cd1", "làm hộ chiếu ở đâu"), ("u1", "thủ tục khai sinh"),
                      ("u2", "nuôi chim yến cần giấy phép gì"), ("u3", "dang ky tam tru")):
        served.harness.text(uid, text)
    served.harness.wait_idle()
    client = served.harness.app.test_client()
    login(client, "truyenthong")
    post(client, "/console/campaigns/new", {
        "id": "tin-cchc-hang-tuan", "title": "Tin cải cách hành chính hằng tuần", "audience_kind": "topic",
        "topics": ["cchc"], "text": "Bản tin cải cách hành chính tuần này của {agency}.\n\nMọi vướng mắc xin gọi {hotline}.",
        "button_0_title": "Cổng Dịch vụ công", "button_0_kind": "url", "button_0_value": "https://dichvucong.gov.vn",
        "schedule_kind": "weekly", "weekday": "tue", "clock": "09:00", "enabled": "1"}, page="/console/campaigns/new")


def main(out: Path) -> int:
    if not AVAILABLE:
        print(SKIP_REASON, file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        served = Served(Path(tmp), None)
        try:
            seed(served)
            for width_name, (width, height) in WIDTHS.items():
                browser = Browser(width, height)
                try:
                    sign_in(browser.driver, served.base_url, "quantri")
                    for name, path in PAGES.items():
                        browser.driver.set_window_size(width, height)
                        browser.driver.get(served.base_url + path)
                        time.sleep(0.4)  # the live audience count
                        full = browser.driver.execute_script("return document.documentElement.scrollHeight")
                        browser.driver.set_window_size(width, min(max(full, height), 2600))
                        browser.driver.save_screenshot(str(out / f"{name}-{width_name}.png"))
                finally:
                    browser.close()
        finally:
            served.close()
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
