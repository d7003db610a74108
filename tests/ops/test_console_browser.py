"""The console in headless Chromium (Debian's chromium + chromium-driver, Selenium): log in, see
the figures of calls just simulated, open a handoff summary as supervisor, be refused as viewer."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator

import pytest

from appliance.config import load_settings
from appliance.ops.console.app import console_config, create_app
from appliance.ops.users import add_user
from tests.ops.conftest import PUBLIC, Sim
from tests.processes import free_port

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian chromium and chromium-driver")
PASSWORD = "correct horse battery"
IMPLICIT_WAIT_S = 30
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)


@pytest.fixture
def console_url(sim: Sim) -> Iterator[str]:
    import uvicorn

    sim.run([p for p in PUBLIC if p.stem in ("refill-request", "operator-request", "parking-question")])
    cfg = console_config(load_settings())
    add_user(cfg.sessions, "sam", "supervisor", PASSWORD)
    add_user(cfg.sessions, "vic", "viewer", PASSWORD)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(cfg), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a safety net: uvicorn is up in well under a second
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the console did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    # Safety nets, not budgets: a loaded CI box renders slowly; elements are waited for, not assumed.
    driver.set_page_load_timeout(60)
    driver.implicitly_wait(IMPLICIT_WAIT_S)
    yield driver
    driver.quit()


def _login(browser, url: str, name: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(url + "/login")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 60).until(lambda b: "/login" not in b.current_url)


def test_supervisor_and_viewer_in_a_real_browser(console_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    _login(browser, console_url, "sam")
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-intent="refill_request"]')
    assert row.find_element(By.CLASS_NAME, "calls").text == "1"
    assert row.find_element(By.CLASS_NAME, "containment").text == "100%"
    total = browser.find_element(By.CSS_SELECTOR, 'tr[data-intent="all"]')
    assert total.find_element(By.CLASS_NAME, "calls").text == "3"
    assert browser.find_elements(By.CSS_SELECTOR, "svg.plot")

    browser.find_element(By.LINK_TEXT, "Transfers").click()
    browser.find_element(By.CSS_SELECTOR, "a.handoff").click()
    summary = browser.find_element(By.ID, "summary").text
    assert "reason" in summary and "identity verified" in summary

    _login(browser, console_url, "vic")
    assert browser.find_elements(By.CSS_SELECTOR, 'tr[data-intent="all"]')
    browser.implicitly_wait(0)  # the page is in (its table was found): an absence is seen at once
    assert not browser.find_elements(By.LINK_TEXT, "Transfers")
    browser.implicitly_wait(IMPLICIT_WAIT_S)
    browser.get(console_url + "/transfers")
    assert "cannot open this page" in browser.find_element(By.ID, "notice").text
