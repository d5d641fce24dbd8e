"""The welcome pieces in a real Chromium: the theme switch, the keyboard shortcuts and their
dialog, the copy buttons with and without the clipboard API, and the API docs page rendering
from this site alone under its content policy."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from tests.factories import make_link, make_share, make_snapshot
from tests.support.browser import become, chromium, wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LIGHT_BG, DARK_BG = "rgb(246, 247, 249)", "rgb(17, 20, 24)"
# Records every content-policy violation from the first script on, in every page loaded after.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", e => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    with chromium() as driver:
        yield driver


def _background(browser: WebDriver) -> str:
    return browser.execute_script("return getComputedStyle(document.body).backgroundColor")


def _active(browser: WebDriver) -> str:
    return browser.execute_script("const a = document.activeElement; return a.id || a.className || a.tagName")


def _system_scheme(browser: WebDriver, scheme: str) -> None:
    features = [{"name": "prefers-color-scheme", "value": scheme}]
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": features})


def _press(browser: WebDriver, keys: str) -> None:
    browser.find_element(By.TAG_NAME, "body").send_keys(keys)


def test_theme_switch_is_remembered_and_beats_the_system(browser, live_server, owner):
    become(browser, live_server.url, owner)
    _system_scheme(browser, "dark")
    browser.get(live_server.url + reverse("accounts:settings"))
    assert _background(browser) == DARK_BG  # the system's choice by default
    Select(browser.find_element(By.ID, "theme-select")).select_by_value("light")
    assert _background(browser) == LIGHT_BG
    browser.get(live_server.url + reverse("snapshots:tag_list"))
    # Set before the first paint by the script in <head>: the attribute is there at once.
    assert browser.execute_script("return document.documentElement.dataset.theme") == "light"
    assert _background(browser) == LIGHT_BG
    assert Select(browser.find_element(By.ID, "theme-select")).first_selected_option.get_attribute("value") == "light"
    _system_scheme(browser, "light")
    Select(browser.find_element(By.ID, "theme-select")).select_by_value("dark")
    browser.refresh()
    assert _background(browser) == DARK_BG
    Select(browser.find_element(By.ID, "theme-select")).select_by_value("system")
    browser.refresh()
    assert _background(browser) == LIGHT_BG
    assert browser.execute_script("return localStorage.getItem('theme')") is None


def test_shortcut_dialog_traps_focus_and_closes_on_escape(browser, live_server, owner):
    become(browser, live_server.url, owner)
    browser.get(live_server.url + reverse("snapshots:link_list"))
    overlay = browser.find_element(By.ID, "shortcuts")
    assert not overlay.is_displayed()
    _press(browser, "?")
    dialog = overlay.find_element(By.CSS_SELECTOR, "[role=dialog]")
    assert overlay.is_displayed() and dialog.get_attribute("aria-modal") == "true"
    assert browser.execute_script("return arguments[0].contains(document.activeElement)", dialog)
    for _ in range(3):  # one control: Tab and Shift+Tab stay on it
        browser.switch_to.active_element.send_keys(Keys.TAB)
        assert browser.execute_script("return arguments[0].contains(document.activeElement)", dialog)
        browser.switch_to.active_element.send_keys(Keys.SHIFT, Keys.TAB)
        assert browser.execute_script("return arguments[0].contains(document.activeElement)", dialog)
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert not overlay.is_displayed()
    # The footer's button opens the same list, and its Close button shuts it.
    browser.find_element(By.CSS_SELECTOR, "[data-shortcuts-open]").click()
    assert overlay.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "[data-shortcuts-close]").click()
    assert not overlay.is_displayed()


def test_list_shortcuts_move_open_and_edit_but_never_while_typing(browser, live_server, owner):
    links = [make_link(owner, f"https://example.org/{i}", title=f"Link {i}") for i in range(3)]
    for link in links:
        make_snapshot(link)
    become(browser, live_server.url, owner)
    home = live_server.url + reverse("snapshots:link_list")
    browser.get(home)
    _press(browser, "/")
    search = browser.find_element(By.ID, "q")
    assert browser.switch_to.active_element == search
    search.send_keys("jjk?n")  # typed into the box, no shortcut taken
    assert search.get_attribute("value") == "jjk?n" and browser.current_url == home
    assert not browser.find_elements(By.CSS_SELECTOR, "li.link-row.chosen")
    assert not browser.find_element(By.ID, "shortcuts").is_displayed()
    search.clear()
    browser.find_element(By.TAG_NAME, "h1").click()  # the keyboard back to the page
    _press(browser, "jjjk")
    chosen = browser.find_element(By.CSS_SELECTOR, "li.link-row.chosen")
    rows = browser.find_elements(By.CSS_SELECTOR, "li.link-row")
    assert chosen == rows[1]  # three down, one up (the newest link is first)
    assert browser.switch_to.active_element == chosen.find_element(By.CSS_SELECTOR, "a.link-title")
    expected = chosen.find_element(By.CSS_SELECTOR, "a.link-title").get_attribute("href")
    _press(browser, "o")
    wait(browser, 5).until(lambda b: b.current_url == expected)
    browser.back()
    _press(browser, "je")
    wait(browser, 5).until(lambda b: b.current_url.endswith("/edit/"))
    browser.get(home)
    _press(browser, "n")
    wait(browser, 5).until(lambda b: b.current_url == live_server.url + reverse("snapshots:link_add"))


def test_copy_buttons_copy_and_say_so_with_and_without_the_clipboard_api(browser, live_server, owner):
    make_link(owner, "https://example.org/report", tags=["政府"])
    share = make_share(owner, tag="政府")
    become(browser, live_server.url, owner)
    browser.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "path": "/"})
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": live_server.url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    browser.get(live_server.url + reverse("snapshots:share_edit", args=[share.pk]))
    address = browser.find_element(By.ID, "public-url").get_attribute("value")
    browser.find_element(By.CSS_SELECTOR, "button[data-copy=public-url]").click()
    status = browser.find_element(By.CSS_SELECTOR, "[data-copy-status]")
    wait(browser, 3).until(lambda b: status.text, f"no word: {status.text!r}")
    assert status.text == "已复制"
    read = "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done(String(e)))"
    copied = browser.execute_async_script(read)
    assert copied == address
    # A new API token, copied the old way (no asynchronous clipboard, as on plain http).
    browser.get(live_server.url + reverse("accounts:settings"))
    browser.find_element(By.CSS_SELECTOR, "form[action$='/tokens/'] input[name=name]").send_keys("phone")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/tokens/'] button[type=submit]").click()
    secret = wait(browser, 5).until(lambda b: b.find_element(By.ID, "new-token")).text
    browser.execute_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    browser.find_element(By.CSS_SELECTOR, "button[data-copy=new-token]").click()
    status = browser.find_element(By.CSS_SELECTOR, "#new-token ~ [data-copy-status]")
    wait(browser, 3).until(lambda b: status.text in ("已复制", "已选中：按 Ctrl+C（⌘C）复制"))
    assert browser.execute_script("return String(window.getSelection())") == secret


def test_api_docs_render_from_this_site_under_their_policy(browser, live_server):
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_VIOLATIONS})
    browser.get(live_server.url + reverse("api_docs"))
    # Redoc fetches the schema and draws the operations; a second's work on this machine.
    wait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "[data-section-id]"))
    assert "linkhome API" in browser.find_element(By.TAG_NAME, "body").text
    requested = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    here = urlsplit(live_server.url).netloc
    foreign = {url for url in requested if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != here}
    violations = browser.execute_script("return window.__violations")
    # Redoc draws a logo from its CDN; the page's policy refuses it (and Redoc hides the gap).
    # Nothing else is refused: its script and styles run under the policy.
    assert foreign <= {v.split(" ", 1)[1] for v in violations}
    assert [v for v in violations if not v.startswith("img-src https://")] == []
