"""A new user, in a real headless Chromium against the live site: sign up, save a Chinese URL with
two tags, find it, filter by a tag, edit it and delete it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from snapshots.models import Link
from tests.support.browser import chromium

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = Path(tempfile.gettempdir()) / "linkhome-e2e"
PASSWORD = "Zx9!long-pass-word"


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    with chromium(accept_language="zh-CN,zh") as driver:
        driver.set_window_size(1280, 900)
        yield driver


def _wait(driver: WebDriver) -> WebDriverWait:
    return WebDriverWait(driver, 15)


def _fill(driver: WebDriver, name: str, value: str) -> None:
    field = driver.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def _submit(driver: WebDriver) -> None:
    """Press the form's main button and wait for the next page to replace this one."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "#main form button.primary, #main form button.danger").click()
    # While the documents swap, ChromeDriver may answer "node does not belong to the document"
    # (a plain WebDriverException) before it answers "stale": that means "not yet", so poll again.
    WebDriverWait(driver, 15, ignored_exceptions=(WebDriverException,)).until(ec.staleness_of(old))


def test_new_user_saves_filters_edits_and_deletes_a_link(browser, live_server):
    browser.get(f"{live_server.url}/accounts/signup/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-hans"
    _fill(browser, "username", "李华")
    _fill(browser, "password1", PASSWORD)
    _fill(browser, "password2", PASSWORD)
    _submit(browser)
    assert browser.current_url == f"{live_server.url}/"
    assert browser.find_element(By.CSS_SELECTOR, "#main .empty")

    browser.find_element(By.CSS_SELECTOR, ".topbar nav a.button.primary").click()
    _wait(browser).until(ec.presence_of_element_located((By.NAME, "url")))
    _fill(browser, "url", "https://example.com/路径?q=1")
    browser.find_element(By.CSS_SELECTOR, "input.chip-entry").send_keys("政府，报告、")  # the tag chips
    _fill(browser, "notes", "<b>年度</b> 报告")
    _submit(browser)
    assert browser.current_url == f"{live_server.url}/"
    rows = browser.find_elements(By.CSS_SELECTOR, "ul.links li.link-row")
    assert len(rows) == 1
    assert "https://example.com/路径?q=1" in rows[0].text
    assert {t.text for t in rows[0].find_elements(By.CSS_SELECTOR, ".link-meta .tag")} == {"政府", "报告"}

    browser.find_element(By.XPATH, "//p[@class='tagbar']/a[starts-with(normalize-space(.), '政府')]").click()
    _wait(browser).until(ec.url_contains("tag="))
    assert browser.find_element(By.CSS_SELECTOR, ".tagbar .tag.active").text.startswith("政府")
    assert len(browser.find_elements(By.CSS_SELECTOR, "ul.links li.link-row")) == 1
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    shot = SCREENSHOT_DIR / "link_list_filtered.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    browser.set_window_size(390, 844)
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    narrow = SCREENSHOT_DIR / "link_list_phone.png"
    assert browser.save_screenshot(str(narrow))
    browser.set_window_size(1280, 900)

    link = Link.objects.get(owner__username="李华")
    assert link.url == "https://example.com/%E8%B7%AF%E5%BE%84?q=1"
    assert link.notes == "<b>年度</b> 报告"

    browser.find_element(By.CSS_SELECTOR, "a.link-title").click()
    _wait(browser).until(ec.url_contains(f"/links/{link.pk}/"))
    notes = browser.find_element(By.CSS_SELECTOR, "section.notes p")
    assert notes.text == "<b>年度</b> 报告" and not notes.find_elements(By.TAG_NAME, "b")
    browser.find_element(By.CSS_SELECTOR, f"a[href='/links/{link.pk}/edit/']").click()
    _wait(browser).until(ec.presence_of_element_located((By.NAME, "title")))
    _fill(browser, "title", "2024 年政府工作报告")
    _submit(browser)
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text == "2024 年政府工作报告"

    browser.find_element(By.CSS_SELECTOR, f"a[href='/links/{link.pk}/delete/']").click()
    _wait(browser).until(ec.url_contains("/delete/"))
    _submit(browser)
    assert browser.current_url == f"{live_server.url}/"
    assert browser.find_element(By.CSS_SELECTOR, "#main .empty")
    assert not Link.objects.filter(pk=link.pk).exists()
