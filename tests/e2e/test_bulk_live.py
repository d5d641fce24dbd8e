"""The bulk bar and the live poll in a real Chromium: choosing rows shows the actions, a bulk
action applies to the chosen rows, and a capture finishing fills in its row and the link page
without a reload. Screenshots of the bar and the delete confirmation go to test-screens/bulk/ in the
repository (ignored by git), in both languages, on a phone and a desk.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from snapshots.models import Link, Snapshot
from tests.factories import make_link, make_share, make_snapshot, make_stored_snapshot
from tests.support.browser import SCREENS, become, chromium, wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = SCREENS / "bulk"
PHONE, DESK = (390, 844), (1280, 900)
# The first poll comes after 2 s and the next after 3 s more: a change is on the page well within this.
LIVE_DEADLINE = 12


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    with chromium() as driver:
        yield driver


def _text_becomes(browser: WebDriver, by: str, value: str, text: str, timeout: float = 15) -> None:
    """Wait until the element shows `text`; a page loading or a part swapped in meanwhile is retried."""
    wait(browser, timeout).until(lambda b: b.find_element(by, value).text == text)


def _viewport(browser: WebDriver, width: int, height: int) -> None:
    browser.set_window_size(width, height)
    inner = browser.execute_script("return [window.innerWidth, window.innerHeight]")
    browser.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def test_choosing_rows_shows_the_bar_and_applies_the_action(browser, live_server, owner):
    links = [make_link(owner, f"https://example.com/bulk/{i}", title=f"报告 {i}") for i in range(5)]
    for link in links:
        make_snapshot(link)
    become(browser, live_server.url, owner)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language in ("zh-hans", "en"):
        browser.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "path": "/"})
        for width, height in (PHONE, DESK):
            _viewport(browser, width, height)
            browser.get(live_server.url + reverse("snapshots:link_list"))
            controls = browser.find_element(By.CSS_SELECTOR, "[data-bulk-controls]")
            assert not controls.is_displayed()
            boxes = browser.find_elements(By.CSS_SELECTOR, "input.row-select")
            assert len(boxes) == 5
            boxes[0].click()
            boxes[2].click()
            assert controls.is_displayed()
            assert "2" in browser.find_element(By.CSS_SELECTOR, "[data-bulk-count]").text
            assert browser.execute_script("return document.documentElement.scrollWidth") <= width
            browser.save_screenshot(str(SHOTS / f"bar-{language}-{width}.png"))
            Select(browser.find_element(By.ID, "bulk-action")).select_by_value("delete")
            assert not browser.find_element(By.ID, "bulk-tags").is_displayed()
            browser.find_element(By.CSS_SELECTOR, "#bulk button[type=submit]").click()
            _text_becomes(browser, By.TAG_NAME, "h1", "删除 2 个链接？" if language == "zh-hans" else "Delete 2 links?")
            browser.save_screenshot(str(SHOTS / f"delete-{language}-{width}.png"))
            browser.back()
    # Select all on the page, then mark them unread.
    _viewport(browser, *DESK)
    browser.get(live_server.url + reverse("snapshots:link_list"))
    browser.find_element(By.CSS_SELECTOR, "[data-bulk-all]").click()
    assert all(box.is_selected() for box in browser.find_elements(By.CSS_SELECTOR, "input.row-select"))
    Select(browser.find_element(By.ID, "bulk-action")).select_by_value("mark_unread")
    browser.find_element(By.CSS_SELECTOR, "#bulk button[type=submit]").click()
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".messages .success"))
    assert Link.objects.filter(owner=owner, unread=True).count() == 5


def test_the_bulk_tag_field_takes_chips_split_on_spaces_and_chinese_commas(browser, live_server, owner):
    links = [make_link(owner, f"https://example.com/chips/{i}", title=f"公报 {i}") for i in range(3)]
    make_link(owner, "https://example.com/chips/tagged", tags=["政府工作"])  # a tag to suggest
    become(browser, live_server.url, owner)
    _viewport(browser, *PHONE)
    browser.get(live_server.url + reverse("snapshots:link_list"))
    boxes = browser.find_elements(By.CSS_SELECTOR, "input.row-select")
    chosen = {int(box.get_attribute("value")) for box in boxes[1:3]}
    assert chosen <= {link.pk for link in links}
    for box in boxes[1:3]:
        box.click()
    Select(browser.find_element(By.ID, "bulk-action")).select_by_value("add_tags")
    entry = browser.find_element(By.ID, "bulk-tags")
    assert "chip-entry" in entry.get_attribute("class") and entry.is_displayed()
    entry.send_keys("政")  # the owner's own tags are suggested
    suggested = "#tag-suggestions option[value='政府工作']"
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, suggested))
    entry.send_keys(Keys.BACKSPACE, "政府 报告，年度")
    chips = browser.find_elements(By.CSS_SELECTOR, ".bulk-tags .chip")
    assert [chip.text.removesuffix("×").strip() for chip in chips] == ["政府", "报告"]
    assert entry.get_attribute("value") == "年度"  # sent too, as the form is sent
    browser.save_screenshot(str(SHOTS / "chips-390.png"))
    _viewport(browser, *DESK)
    browser.save_screenshot(str(SHOTS / "chips-1280.png"))
    browser.find_element(By.CSS_SELECTOR, "#bulk button[type=submit]").click()
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".messages .success"))
    for link in Link.objects.filter(pk__in=chosen):
        assert sorted(link.tags.names()) == sorted(["政府", "报告", "年度"])
    assert not Link.objects.get(pk=({link.pk for link in links} - chosen).pop()).tags.names()


def test_a_finished_capture_fills_in_the_list_and_the_link_page(browser, live_server, owner):
    link = make_link(owner, "https://example.com/live")
    running = make_snapshot(link, status=Snapshot.Status.RUNNING)
    become(browser, live_server.url, owner)
    browser.get(live_server.url + reverse("snapshots:link_list"))
    title = browser.find_element(By.ID, f"title-{link.pk}")
    assert title.text == "https://example.com/live"  # no title yet: its address
    box = browser.find_element(By.CSS_SELECTOR, "input.row-select")
    box.click()  # a chosen row stays chosen while its parts are swapped
    Snapshot.objects.filter(pk=running.pk).update(status=Snapshot.Status.SUCCEEDED)
    Link.objects.filter(pk=link.pk).update(title="统计公报", description="全年数据")
    _text_becomes(browser, By.ID, f"title-{link.pk}", "统计公报", LIVE_DEADLINE)
    assert browser.find_element(By.CSS_SELECTOR, f"#status-{link.pk} .status-succeeded")
    assert browser.find_element(By.CSS_SELECTOR, f"#copy-{link.pk} a").is_displayed()  # the saved copy opens
    assert browser.find_element(By.CSS_SELECTOR, "input.row-select").is_selected()
    assert browser.find_element(By.ID, "live-poll").get_attribute("hx-trigger") is None  # stopped
    # The link page: "capture again" starts a poll that shows the new version when it finishes.
    browser.get(live_server.url + reverse("snapshots:link_detail", args=[link.pk]))
    browser.find_element(By.CSS_SELECTOR, f"form[action$='/links/{link.pk}/capture/'] button").click()
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#live-poll[hx-trigger]"))
    newest = link.snapshots.order_by("-id").first()
    assert newest.pk != running.pk
    Snapshot.objects.filter(pk=newest.pk).update(status=Snapshot.Status.SUCCEEDED)
    Link.objects.filter(pk=link.pk).update(title="统计公报（修订）")
    _text_becomes(browser, By.TAG_NAME, "h1", "统计公报（修订）", LIVE_DEADLINE)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#link-page .status-succeeded")) == 2


def test_the_owners_share_page_shows_a_finished_capture(browser, live_server, owner):
    link = make_link(owner, "https://example.com/shared-live", title="公报", tags=["报告"])
    running = make_snapshot(link, status=Snapshot.Status.RUNNING)
    share = make_share(owner, tag="报告")
    become(browser, live_server.url, owner)
    browser.get(live_server.url + reverse("snapshots:share_page", args=[share.token]))
    assert not browser.find_elements(By.CSS_SELECTOR, f"#link-{link.pk} a.link-title")  # nothing to open yet
    Snapshot.objects.filter(pk=running.pk).update(status=Snapshot.Status.SUCCEEDED)
    opened = f"#link-{link.pk} a.link-title[href$='/snapshots/{running.pk}/']"
    wait(browser, LIVE_DEADLINE).until(lambda b: b.find_elements(By.CSS_SELECTOR, opened))
    assert browser.find_element(By.ID, "live-poll").get_attribute("hx-trigger") is None


def test_the_versions_page_shows_a_finished_capture_without_a_reload(browser, live_server, owner, media):
    link = make_link(owner, "https://example.com/versions-live", title="统计公报")
    make_stored_snapshot(link, title="统计公报")
    make_stored_snapshot(link, title="统计公报")
    running = make_snapshot(link, status=Snapshot.Status.RUNNING)
    become(browser, live_server.url, owner)
    browser.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "path": "/"})
    browser.get(live_server.url + reverse("snapshots:version_compare", args=[link.pk]))
    assert browser.find_element(By.CSS_SELECTOR, "#versions-page .badge.status-running").text == "抓取中"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#new option")) == 2
    assert len(browser.find_elements(By.CSS_SELECTOR, ".shot-slider")) == 1
    browser.execute_script("document.body.dataset.unreloaded = 'yes'")  # gone if the page reloads
    finished = make_stored_snapshot(link, title="统计公报")
    Snapshot.objects.filter(pk=running.pk).delete()  # the capture became the stored version
    wait(browser, LIVE_DEADLINE).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#new option")) == 3)
    assert Select(browser.find_element(By.ID, "new")).first_selected_option.get_attribute("value") == str(finished.pk)
    assert not browser.find_elements(By.CSS_SELECTOR, "#versions-page .badge.status-running")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".shot-slider")) == 1  # the slider is laid on the new pair
    shot = reverse("snapshots:snapshot_artifact", args=[finished.pk, "screenshot"])
    assert browser.find_element(By.CSS_SELECTOR, f"#versions-page img[src='{shot}']")
    assert browser.execute_script("return document.body.dataset.unreloaded") == "yes"
    assert browser.find_element(By.ID, "live-poll").get_attribute("hx-trigger") is None  # stopped
