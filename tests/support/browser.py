"""A headless Chromium for the sharing tests, with identities switched by session cookie."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.test import Client
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import User

# Screenshots the browser tests save to look at: a folder of the repository that git and the
# image builds ignore (.gitignore, .dockerignore); it only ever holds PNG files.
SCREENS = Path(settings.BASE_DIR) / "test-screens"

FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
    "--lang=zh-CN",
)


@contextmanager
def chromium(accept_language: str | None = None) -> Iterator[WebDriver]:
    """A headless Chromium for driving the site; `accept_language` e.g. "zh-CN,zh"."""
    profile = tempfile.mkdtemp(prefix="linkhome-test-chrome-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # The console is kept, so that a test can read what the page reported (policy violations).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if accept_language:
        options.add_experimental_option("prefs", {"intl.accept_languages": accept_language})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _replaced(exc: WebDriverException) -> bool:
    """An element found in a document that went away (a page load, an htmx swap) before it was read.
    chromedriver says so as a stale reference or, mid-swap, as an inspector error."""
    return isinstance(exc, StaleElementReferenceException) or "does not belong to the document" in str(exc)


class PageWait(WebDriverWait):
    """A wait whose condition, when the element it read was replaced meanwhile, is simply not met yet."""

    def until(self, method, message: str = ""):
        def settled(driver):
            try:
                return method(driver)
            except WebDriverException as exc:
                if _replaced(exc):
                    return False
                raise

        return super().until(settled, message)


def wait(driver: WebDriver, timeout: float = 15) -> WebDriverWait:
    return PageWait(driver, timeout)


def become(driver: WebDriver, base_url: str, user: User | None) -> None:
    """Switch the browser to `user` (None: an anonymous visitor) via a fresh session cookie."""
    driver.get(base_url + "/healthz")
    driver.delete_all_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    driver.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "path": "/", "httpOnly": True})
