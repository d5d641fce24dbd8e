"""The site's Content-Security-Policy in a real Chromium: the main pages load without a single
violation in the console, while what runs under the policy still works: the htmx poll that
fills in a finished capture, the theme switch, the viewer's archived copy and screenshot, the
bookmarklet window's close button, and a click on a bookmarklet button (which only says to drag it).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from snapshots.models import Link, Snapshot
from tests.factories import image_bytes, make_link, make_report, make_share, make_snapshot, make_stored_snapshot
from tests.support.browser import become, chromium, wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The first poll comes after 2 s and the next after 3 s more: a change is on the page well within this.
LIVE_DEADLINE = 12


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    with chromium() as driver:
        yield driver


def policy_errors(browser: WebDriver) -> list[str]:
    """Console errors that name the content policy since the last call (reading empties the log)."""
    return [
        entry["message"]
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "Content Security Policy" in entry["message"]
    ]


def visit(browser: WebDriver, url: str) -> None:
    browser.get(url)
    wait(browser).until(lambda b: b.execute_script("return document.readyState") == "complete")
    # htmx is loaded deferred: it has run once its global exists and has processed the body.
    assert browser.execute_script("return typeof htmx") == "object", url


def test_the_main_pages_load_without_a_policy_violation(browser, live_server, owner, staff, media):
    link = make_link(owner, "https://example.com/report", title="统计公报", tags=["报告"])
    stored = make_stored_snapshot(link)
    newer = make_stored_snapshot(link, title="统计公报（修订）")
    share = make_share(owner, tag="报告")
    base = live_server.url
    become(browser, base, None)
    shared = reverse("snapshots:share_page", args=[share.token])
    for page in ("/", reverse("accounts:login"), reverse("accounts:signup"), shared):
        visit(browser, base + page)
    become(browser, base, owner)
    pages = [
        reverse("snapshots:link_list"),
        reverse("snapshots:link_list") + "?view=grid",
        reverse("snapshots:link_detail", args=[link.pk]),
        reverse("snapshots:snapshot_detail", args=[stored.pk]),
        reverse("snapshots:snapshot_reader", args=[newer.pk]),
        reverse("snapshots:version_compare", args=[link.pk]),
        reverse("snapshots:search") + "?q=统计",
        reverse("snapshots:tag_list"),
        reverse("snapshots:share_list"),
        reverse("snapshots:share_page", args=[share.token]),
        reverse("snapshots:import_start"),
        reverse("snapshots:link_add"),
        reverse("accounts:settings"),
    ]
    for page in pages:
        visit(browser, base + page)
    assert policy_errors(browser) == []
    make_report(share, link)
    become(browser, base, staff)
    for page in (reverse("snapshots:moderation_queue"), reverse("snapshots:moderation_audit"), "/admin/"):
        browser.get(base + page)
    assert policy_errors(browser) == []
    become(browser, base, owner)

    # The snapshot page's viewer: the archived copy in its sandboxed frame and the screenshot both load.
    visit(browser, base + reverse("snapshots:snapshot_detail", args=[stored.pk]) + "#screenshot")
    frames = browser.find_elements(By.CSS_SELECTOR, "iframe.archive")
    images = browser.find_elements(By.CSS_SELECTOR, "img.screenshot")
    assert frames or images
    for image in images:
        wait(browser).until(lambda b, image=image: b.execute_script("return arguments[0].naturalWidth", image) > 0)
    assert policy_errors(browser) == []


def test_bookmarklet_buttons_and_the_popup_close_run_under_the_policy(browser, live_server, owner):
    become(browser, live_server.url, owner)
    visit(browser, live_server.url + reverse("accounts:settings"))
    hint = browser.find_element(By.ID, "bookmarklet-hint")
    assert not hint.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "a.bookmarklet").click()
    assert hint.is_displayed()  # a click here says to drag it, and runs nothing
    assert browser.current_url.endswith(reverse("accounts:settings"))
    # The small window the bookmarklet opens, after saving: its button closes it.
    browser.get(live_server.url + reverse("snapshots:link_add") + "?popup=1&url=https://example.com/p&title=弹窗")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    button = wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "[data-close-window]"))[0]
    closed = browser.execute_script(
        "window.__closed = false; window.close = () => { window.__closed = true; }; return true;"
    )
    assert closed
    button.click()
    assert browser.execute_script("return window.__closed") is True
    assert policy_errors(browser) == []


def test_the_poll_and_the_theme_switch_work_under_the_policy(browser, live_server, owner):
    link = make_link(owner, "https://example.com/live")
    running = make_snapshot(link, status=Snapshot.Status.RUNNING)
    become(browser, live_server.url, owner)
    visit(browser, live_server.url + reverse("snapshots:link_list"))
    assert browser.find_element(By.ID, "live-poll").get_attribute("hx-trigger")
    Snapshot.objects.filter(pk=running.pk).update(status=Snapshot.Status.SUCCEEDED)
    Link.objects.filter(pk=link.pk).update(title="统计公报")
    wait(browser, LIVE_DEADLINE).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, f"#status-{link.pk} .status-succeeded")
    )
    assert browser.find_element(By.ID, f"title-{link.pk}").text == "统计公报"
    Select(browser.find_element(By.ID, "theme-select")).select_by_value("dark")
    assert browser.execute_script("return document.documentElement.dataset.theme") == "dark"
    browser.refresh()
    assert browser.execute_script("return document.documentElement.dataset.theme") == "dark"
    assert policy_errors(browser) == []


def test_images_from_a_bucket_load_under_the_policy(browser, live_server, owner, bucket):
    """Screenshots and thumbnails leave through presigned URLs of the bucket's own host."""
    link = make_link(owner, "https://example.com/bucket", title="桶里的公报")
    stored = make_stored_snapshot(link)
    become(browser, live_server.url, owner)
    visit(browser, live_server.url + reverse("snapshots:link_list") + "?view=grid")
    visit(browser, live_server.url + reverse("snapshots:snapshot_detail", args=[stored.pk]))
    images = browser.find_elements(By.CSS_SELECTOR, "#main img")
    assert images
    for image in images:
        browser.execute_script("arguments[0].scrollIntoView()", image)
        wait(browser).until(lambda b, image=image: b.execute_script("return arguments[0].naturalWidth", image) > 0)
    assert policy_errors(browser) == []


def test_the_reader_shows_its_inline_images_under_the_policy(browser, live_server, owner, media):
    """A reader copy keeps its images as data: URLs; only the reader page allows those."""
    link = make_link(owner, "https://example.com/reader", title="读者视图")
    snapshot = make_stored_snapshot(link)
    picture = base64.b64encode(image_bytes("PNG", (200, 30, 30), (40, 20))).decode()
    copy = f'<article><h1>读者视图</h1><p>正文</p><img src="data:image/png;base64,{picture}" alt="图"></article>'
    snapshot.artifacts["reader"] = default_storage.save("tests/reader/copy.html", ContentFile(copy.encode()))
    snapshot.save(update_fields=["artifacts"])
    become(browser, live_server.url, owner)
    visit(browser, live_server.url + reverse("snapshots:snapshot_reader", args=[snapshot.pk]))
    image = browser.find_element(By.CSS_SELECTOR, ".reader img")
    wait(browser).until(lambda b: b.execute_script("return arguments[0].naturalWidth", image) == 40)
    assert policy_errors(browser) == []
