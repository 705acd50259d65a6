"""The console in a real headless Chromium: sign in, create and pause a campaign, answer a ticket,
and add an unanswered question as an alternative — the officer's and staff's main paths."""

from __future__ import annotations

import time

from bot.clock import utc_now
from bot.conversations import citizens, tickets
from bot.knowledge import unanswered
from tests.e2e.browserkit import set_value, sign_in, wait_for


def by_css(driver, selector):
    from selenium.webdriver.common.by import By
    return driver.find_element(By.CSS_SELECTOR, selector)


def test_officer_creates_a_campaign_sees_preview_count_warning_then_pauses_it(served, driver, tmp_path):
    from tests.campaignkit import add_users
    add_users(served.harness.runtime.storage, ["u1", "u2"], topic="cchc")
    sign_in(driver, served.base_url, "truyenthong")
    driver.get(served.base_url + "/console/campaigns/")
    by_css(driver, "a.button").click()
    wait_for(driver, lambda d: d.current_url.endswith("/console/campaigns/new"))
    by_css(driver, "input[name=id]").send_keys("tin-tuan")
    by_css(driver, "input[name=title]").send_keys("Tin cải cách hành chính hằng tuần")
    by_css(driver, "input[name=audience_kind][value=topic]").click()
    by_css(driver, "input[name=topics][value=cchc]").click()
    wait_for(driver, lambda d: "Hiện sẽ gửi tới 2 người" in by_css(d, "#audience-count").text)
    by_css(driver, "#message-text").send_keys("Bản tin tuần này của {agency}. Gọi {hotline}.")
    wait_for(driver, lambda d: "Bản tin tuần này của Ủy ban nhân dân tỉnh" in by_css(d, "#preview-text").text)
    by_css(driver, "#campaign-form details summary").click()
    by_css(driver, "input[name=button_0_title]").send_keys("Cổng Dịch vụ công")
    by_css(driver, "input[name=button_0_value]").send_keys("https://dichvucong.gov.vn")
    assert "Cổng Dịch vụ công" in by_css(driver, "#preview-buttons").text
    from selenium.webdriver.support.ui import Select
    Select(by_css(driver, "#schedule-kind")).select_by_value("weekly")
    Select(by_css(driver, "select[name=weekday]")).select_by_value("tue")
    set_value(driver, by_css(driver, "#clock"), "21:30")
    wait_for(driver, lambda d: "giờ yên lặng" in by_css(d, "#time-warning").text)
    assert by_css(driver, "#schedule-words").text == "hằng tuần thứ Ba 21:30"
    set_value(driver, by_css(driver, "#clock"), "09:00")
    wait_for(driver, lambda d: by_css(d, "#time-warning").text == "")
    by_css(driver, "input[name=enabled]").click()
    by_css(driver, "#campaign-form button[type=submit]").click()
    wait_for(driver, lambda d: d.current_url.endswith("/console/campaigns/tin-tuan"))
    assert "Đã lên lịch" in by_css(driver, ".head .status").text
    assert "thứ Ba" in by_css(driver, "#next-run").text
    assert (tmp_path / "campaigns" / "tin-tuan.yaml").exists()
    by_css(driver, "button[value=pause]").click()
    wait_for(driver, lambda d: by_css(d, ".head .status").text == "Tạm dừng")
    assert served.harness.runtime.campaigns.store.get("tin-tuan")["status"] == "paused"


def test_staff_answers_a_ticket_from_the_page(served, driver, fake_zalo):
    storage = served.harness.runtime.storage
    citizens.record_interaction(storage, "cd1", int(time.time() * 1000))
    ticket = tickets.create(storage, "cd1", {"topic": "Đất đai", "content": "Hồ sơ cấp sổ đỏ quá hạn"}, utc_now())
    sign_in(driver, served.base_url, "tiepnhan")
    driver.get(served.base_url + "/console/tickets/")
    from selenium.webdriver.common.by import By
    driver.find_element(By.LINK_TEXT, ticket.code).click()
    wait_for(driver, lambda d: "câu trả lời sẽ được gửi ngay" in by_css(d, "#window-rule").text)
    by_css(driver, "textarea[name=text]").send_keys("Hồ sơ của ông đã được chuyển xử lý, hẹn trả ngày 10/12.")
    by_css(driver, ".reply-form button[type=submit]").click()
    wait_for(driver, lambda d: "Đã gửi câu trả lời" in by_css(d, ".flash").text)
    sent = served.harness.wait_sent("cd1", 1)
    assert "hẹn trả ngày 10/12" in sent[0].text
    assert "Đã phản hồi" in by_css(driver, ".head .status").text


def test_staff_adds_an_unanswered_question_as_an_alternative(served, driver, tmp_path):
    runtime = served.harness.runtime
    question = "làm khai sinh cho con khi bố mẹ chưa đăng ký kết hôn"
    unanswered.record(runtime.storage, question, runtime.knowledge.current.matcher.answer(question), "fallback")
    sign_in(driver, served.base_url, "tiepnhan")
    driver.get(served.base_url + "/console/unanswered")
    group = by_css(driver, "section.group")
    assert question in group.text
    entry = group.find_element("css selector", ".add-alternative input[name=entry_id]")
    entry.clear()
    entry.send_keys("khai-sinh")
    group.find_element("css selector", ".add-alternative button[type=submit]").click()
    wait_for(driver, lambda d: "Đã thêm" in by_css(d, ".flash").text)
    assert "không có lỗi mới" in by_css(driver, ".flash").text
    assert f"      - {question}\n" in (tmp_path / "knowledge" / "thu-tuc.yaml").read_text(encoding="utf-8")


def test_on_a_phone_the_menu_folds_and_tables_become_cards(served, driver):
    driver.set_window_size(390, 844)
    try:
        sign_in(driver, served.base_url, "quantri")
        driver.get(served.base_url + "/console/campaigns/")
        menu = by_css(driver, "nav.menu")
        assert not menu.is_displayed()
        by_css(driver, "label.menu-button").click()
        wait_for(driver, lambda d: by_css(d, "nav.menu").is_displayed())
        assert by_css(driver, "nav.menu a[href='/console/tickets/']").is_displayed()
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390  # nothing wider than the screen: no sideways scrolling
    finally:
        driver.set_window_size(1280, 900)
