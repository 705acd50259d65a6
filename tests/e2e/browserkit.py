"""A real headless Chromium (Selenium) and the real app behind a real HTTP server on loopback:
shared by the end-to-end tests and the screenshot script (`python -m tests.e2e.screenshots`)."""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from bot.config import CampaignSettings
from tests.campaignkit import FAST
from tests.consolekit import PASSWORD, console_harness
from tests.fakezalo import FakeZalo
from tests.harness import Harness

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
                 if Path(p).exists()), None)
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=vi")
AVAILABLE = bool(CHROMIUM and CHROMEDRIVER and importlib.util.find_spec("selenium"))
SKIP_REASON = ("end-to-end browser tests skipped: Chromium, chromedriver or selenium is not installed "
               "(Debian: apt-get install chromium chromium-driver; .ci/run does it; selenium: requirements-dev.txt)")


class Served:
    """The console harness (shipped quiet hours 21:00–07:00, fast delivery otherwise) at `base_url`."""

    def __init__(self, tmp_path: Path, fake: FakeZalo | None):
        settings = dataclasses.replace(CampaignSettings(), **{**FAST, "quiet_hours": "21:00-07:00"})
        self.harness: Harness = console_harness(tmp_path, fake, campaigns=settings)
        self.server = make_server("127.0.0.1", 0, self.harness.app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.harness.runtime.stop()


class Browser:
    """A fresh Chromium profile per browser, removed on close."""

    def __init__(self, width: int = 1280, height: int = 900):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM or ""
        for flag in FLAGS:
            options.add_argument(flag)
        self.profile = tempfile.mkdtemp(prefix="console-e2e-")
        options.add_argument(f"--user-data-dir={self.profile}")
        options.add_argument(f"--window-size={width},{height}")
        self.driver: Any = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)

    def close(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


def sign_in(driver: Any, base_url: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base_url + "/")
    assert "/console/login" in driver.current_url
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda d: "/login" not in d.current_url)


def wait_for(driver: Any, condition: Any, timeout: float = 5.0) -> Any:
    """Until `condition(driver)` holds; elements missing or replaced while a page loads are retried.
    Chromedriver reports an element read while a form's redirect replaces the page either as
    stale or as an "unknown error" ("Node with given id does not belong to the document"), so
    any WebDriver error is retried; one that persists still ends in the timeout."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05, ignored_exceptions=(WebDriverException,)).until(condition)


def set_value(driver: Any, element: Any, value: str) -> None:
    """For inputs whose typing depends on the browser's locale (time, date): set, then fire input."""
    driver.execute_script("arguments[0].value = arguments[1];"
                          "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                          "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", element, value)
