"""Every main page in a real Chromium on a phone (390x844) and a desk (1280x900), in Chinese and
English: nothing wider than the screen, no text under 14 px, a header of one short row on a phone,
and a list dense enough for six links on the phone's first screen and twenty on the desk's.

Screenshots are saved under the system's temporary folder (linkhome-layout/) to look at.
"""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from accounts.services import token_create
from snapshots.models import Snapshot
from tests.factories import (
    image_bytes,
    make_import_job,
    make_link,
    make_report,
    make_share,
    make_snapshot,
    make_stored_snapshot,
)
from tests.support.browser import become, chromium

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir()) / "linkhome-layout"
PHONE, DESK = (390, 844), (1280, 900)
HEADER_MAX = 64
LINKS_ON_PHONE, LINKS_ON_DESK = 6, 20
SMALLEST_TEXT = 14

TITLES = (
    "2025 年国民经济和社会发展统计公报——国家统计局发布的年度数据与图表",
    "A very long English title about the state of the open web archive in the year 2025, with details",
    "政府工作报告",
    "Short",
)

# The visible text elements whose computed size is under the limit, at most five, for the message.
SMALL_TEXT_JS = """
const small = [];
for (const el of document.querySelectorAll("body *")) {
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own || !el.getClientRects().length) continue;
  const style = getComputedStyle(el);
  if (style.visibility === "hidden" || el.closest(".sr-only, [aria-hidden=true]")) continue;
  if (parseFloat(style.fontSize) < arguments[0]) small.push(el.tagName + "." + el.className + ": " + style.fontSize);
}
return small.slice(0, 5);
"""

# Rows wholly inside the first screen.
ROWS_ON_SCREEN_JS = """
return [...document.querySelectorAll("ul.links li.link-row")]
  .filter(li => li.getBoundingClientRect().bottom <= window.innerHeight).length;
"""


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    with chromium() as driver:
        yield driver


@pytest.fixture
def site(owner) -> dict[str, str]:
    """An owner with a full page of links (site icons, long titles, tags), versions, tokens,
    shares, imports and a report to moderate; the pages to walk, by name."""
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    icon = default_storage.save("layout-test/favicon.png", ContentFile(image_bytes("PNG", (207, 34, 46), (32, 32))))
    thumb = default_storage.save("layout-test/thumb.webp", ContentFile(image_bytes("WEBP", (31, 111, 235))))
    links = []
    for i in range(24):
        tags = ["政府", "统计数据", f"long-english-tag-{i % 3}"][: i % 4]
        url = f"https://www{i}.example.org/reports/2025/{'annual-' * 6}{i}"
        link = make_link(owner, url, tags=tags, title=TITLES[i % len(TITLES)], description="年度数据与图表。" * 10)
        artifacts = {"favicon": icon} if i % 3 else {}  # some sites have no icon
        snapshot = make_snapshot(link, artifacts={**artifacts, "thumbnail": thumb} if i % 4 else artifacts)
        links.append((link, snapshot))
    compared = links[-1][0]
    for text in ("第一段\n财政收入 8,765\n结尾", "第一段\n财政收入 9,100 万元\n新的结尾"):
        stored = make_stored_snapshot(compared)
        Snapshot.objects.filter(pk=stored.pk).update(text=text)
    make_snapshot(compared, status=Snapshot.Status.FAILED, error="timeout", error_code="timeout")
    make_snapshot(compared, http_status=404)
    for name in ("浏览器扩展 on my very long-named laptop computer", "cli"):
        token_create(user=owner, name=name)
    share = make_share(owner, tag="政府", title="政府数据合集：一个相当长的合集标题")
    make_report(share, compared, message="这是一个举报。" * 5)
    make_import_job(owner)
    return {
        "list": reverse("snapshots:link_list") + "?view=list",
        "link": reverse("snapshots:link_detail", args=[compared.pk]),
        "versions": reverse("snapshots:version_compare", args=[compared.pk]),
        "snapshot": reverse("snapshots:snapshot_detail", args=[stored.pk]),
        "tags": reverse("snapshots:tag_list"),
        "settings": reverse("accounts:settings"),
        "shares": reverse("snapshots:share_list"),
        "import": reverse("snapshots:import_start"),
        "moderation": reverse("snapshots:moderation_queue"),
        "audit": reverse("snapshots:moderation_audit"),
        "search": reverse("snapshots:search") + "?q=%E6%94%BF%E5%BA%9C",
        "collection": reverse("snapshots:share_page", args=[share.token]),
        "cards": reverse("snapshots:link_list") + "?view=grid",
    }



def set_viewport(browser, width: int, height: int) -> None:
    """The viewport (not the window) at width x height."""
    browser.set_window_size(width, height)
    inner = browser.execute_script("return [window.innerWidth, window.innerHeight]")
    browser.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def page_problems(browser, where: str, width: int) -> list[str]:
    """What is wrong with the page shown: wider than the screen, text too small, a tall phone header."""
    problems = []
    scroll = browser.execute_script("return document.documentElement.scrollWidth")
    header = browser.find_element(By.CSS_SELECTOR, "header.topbar").rect["height"]
    if scroll > width:
        problems.append(f"{where}: {scroll} px wide")
    if small := browser.execute_script(SMALL_TEXT_JS, SMALLEST_TEXT):
        problems.append(f"{where}: small text {small}")
    if width == PHONE[0] and header > HEADER_MAX:
        problems.append(f"{where}: header {header} px")
    return problems

def test_pages_fit_phone_and_desk_in_both_languages(browser, live_server, owner, site):
    become(browser, live_server.url, owner)
    SHOTS.mkdir(exist_ok=True)
    problems, figures = [], []
    for language in ("zh-hans", "en"):
        browser.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "path": "/"})
        for width, height in (PHONE, DESK):
            set_viewport(browser, width, height)
            for name, path in site.items():
                browser.get(live_server.url + path)
                where = f"{name} {language} {width}x{height}"
                problems += page_problems(browser, where, width)
                if name == "list":
                    shown = browser.execute_script(ROWS_ON_SCREEN_JS)
                    wanted = LINKS_ON_PHONE if width == PHONE[0] else LINKS_ON_DESK
                    header = browser.find_element(By.CSS_SELECTOR, "header.topbar").rect["height"]
                    figures.append(f"{where}: header {header:.0f} px, {shown} links on the first screen")
                    if shown < wanted:
                        problems.append(f"{where}: {shown} links on the first screen")
                _save_whole_page(browser, SHOTS / f"{name}-{language}-{width}.png")
    print("\n".join(figures))
    assert not problems, "\n".join(problems)


def test_dark_screens_get_dark_pages(browser, live_server, owner, site):
    become(browser, live_server.url, owner)
    dark = {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", dark)
    SHOTS.mkdir(exist_ok=True)
    for name in ("list", "cards", "link"):
        browser.get(live_server.url + site[name])
        background = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(17, 20, 24)", name
        _save_whole_page(browser, SHOTS / f"{name}-dark-1280.png")


def _save_whole_page(browser: WebDriver, path: Path) -> None:
    """The first screen and, below it, the rest of the page, in one picture."""
    height = browser.execute_script("return document.documentElement.scrollHeight")
    width = browser.execute_script("return window.innerWidth")
    clip = {"x": 0, "y": 0, "width": width, "height": min(height, 6000), "scale": 1}
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip})
    path.write_bytes(base64.b64decode(shot["data"]))


def test_phone_menu_opens_and_closes(browser, live_server, owner, site):
    become(browser, live_server.url, owner)
    browser.set_window_size(*PHONE)
    browser.get(live_server.url + site["list"])
    menu, toggle = browser.find_element(By.ID, "site-menu"), browser.find_element(By.CSS_SELECTOR, ".menu-toggle")
    assert not menu.is_displayed() and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert menu.is_displayed() and toggle.get_attribute("aria-expanded") == "true"
    assert menu.find_element(By.CSS_SELECTOR, f"a[href='{site['tags']}']").is_displayed()
    browser.find_element(By.CSS_SELECTOR, ".footer").click()
    assert not menu.is_displayed()
    browser.set_window_size(*DESK)
    assert menu.is_displayed() and not toggle.is_displayed()



def test_welcome_page_fits_phone_and_desk_in_both_languages(browser, live_server):
    """The page visitors see first, signed out: same limits as the pages above."""
    become(browser, live_server.url, None)
    SHOTS.mkdir(exist_ok=True)
    problems = []
    for language in ("zh-hans", "en"):
        browser.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "path": "/"})
        for width, height in (PHONE, DESK):
            set_viewport(browser, width, height)
            browser.get(live_server.url + reverse("snapshots:link_list"))
            where = f"welcome {language} {width}x{height}"
            problems += page_problems(browser, where, width)
            # Both ways in are on the first screen.
            for name in ("accounts:signup", "accounts:login"):
                way_in = browser.find_element(By.CSS_SELECTOR, f"main a[href='{reverse(name)}']")
                if way_in.rect["y"] + way_in.rect["height"] > height:
                    problems.append(f"{where}: {name} below the first screen")
            _save_whole_page(browser, SHOTS / f"welcome-{language}-{width}.png")
    assert not problems, "\n".join(problems)
