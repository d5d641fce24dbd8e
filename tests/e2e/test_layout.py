"""Every page a person or staff sees, in a real Chromium on a phone (390x844) and a desk (1280x900),
in Chinese and English, in one browser: nothing wider than the screen, no text under 14 px, no
serious or critical WCAG 2.2 AA fault (axe-core), none of our words left in the other language, a
header of one short row on a phone, and a list dense enough for six links on the phone's first
screen and twenty on the desk's.

Screenshots are saved under test-screens/layout/ in the repository (ignored by git) to look at.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from accounts.models import User
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
from tests.support.browser import SCREENS, become, chromium, wait
from tests.support.pagechecks import axe_problems, install_axe, page_problems

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = SCREENS / "layout"
PHONE, DESK = (390, 844), (1280, 900)
LINKS_ON_PHONE, LINKS_ON_DESK = 6, 20

TITLES = (
    "2025 年国民经济和社会发展统计公报——国家统计局发布的年度数据与图表",
    "A very long English title about the state of the open web archive in the year 2025, with details",
    "政府工作报告",
    "Short",
)

# A page only a form's POST reaches: (path, fields). "{language}" in a value is the walk's
# language, for a form that may be sent once per language only (a new link's address).
Posted = tuple[str, list[tuple[str, str]]]

# The first 1001 fields of a form: one more than the site reads (DATA_UPLOAD_MAX_NUMBER_FIELDS).
TOO_MANY_FIELDS = [(f"f{i}", "") for i in range(1001)]

# Send a form as the page's own form would (the CSRF secret from its cookie), then the browser
# loads the answer; the mark on the window is gone once it has.
POST_JS = """
const [action, fields] = arguments;
const form = document.createElement("form");
form.method = "post";
form.action = action;
for (const [name, value] of fields) {
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = name;
  input.value = value;
  form.append(input);
}
window.walkPosting = true;
document.body.append(form);
form.submit();
"""

READER_COPY = (
    "<html><body><article><h1>2025 年国民经济和社会发展统计公报</h1>"
    + "<p>全年国内生产总值比上年增长百分之五，财政收入稳中有升。</p>" * 6
    + "<h2>一、综合</h2><p>年末全国人口，城镇常住人口占比继续提高。</p></article></body></html>"
)

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
def site(owner) -> dict[str, str | Posted]:
    """An owner with a full page of links (site icons, long titles, tags), versions, tokens,
    shares, imports and a report to moderate; the pages they see, by name."""
    owner.is_staff = True
    owner.show_collections_on_profile = True
    owner.save(update_fields=["is_staff", "show_collections_on_profile"])
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
    reader = default_storage.save("layout-test/reader.html", ContentFile(READER_COPY.encode()))
    Snapshot.objects.filter(pk=stored.pk).update(artifacts={**stored.artifacts, "reader": reader}, language="zh")
    make_snapshot(compared, status=Snapshot.Status.FAILED, error="connection refused", error_code="connection_refused")
    make_snapshot(compared, http_status=404)
    for name in ("浏览器扩展 on my very long-named laptop computer", "cli"):
        token_create(user=owner, name=name)
    share = make_share(owner, tag="政府", title="政府数据合集：一个相当长的合集标题")
    make_report(share, compared, message="这是一个举报。" * 5)
    job = make_import_job(owner, skipped=6)
    link_id, share_id = compared.pk, share.pk
    return {
        "list": reverse("snapshots:link_list") + "?view=list",
        "cards": reverse("snapshots:link_list") + "?view=grid",
        "search": reverse("snapshots:search") + "?q=%E6%94%BF%E5%BA%9C",
        "tags": reverse("snapshots:tag_list"),
        "link": reverse("snapshots:link_detail", args=[link_id]),
        "snapshot": reverse("snapshots:snapshot_detail", args=[stored.pk]),
        "versions": reverse("snapshots:version_compare", args=[link_id]),
        "add": reverse("snapshots:link_add"),
        "popup": reverse("snapshots:link_add") + "?popup=1&url=https://example.org/",
        "receive": reverse("snapshots:page_receive") + "?url=https://example.org/",
        "edit": reverse("snapshots:link_edit", args=[link_id]),
        "delete": reverse("snapshots:link_delete", args=[link_id]),
        "import": reverse("snapshots:import_start"),
        "import-job": reverse("snapshots:import_detail", args=[job.pk]),
        "settings": reverse("accounts:settings"),
        "password": reverse("accounts:password_change"),
        "password-changed": reverse("accounts:password_change_done"),
        "leave": reverse("accounts:delete"),
        "shares": reverse("snapshots:share_list"),
        "share-edit": reverse("snapshots:share_edit", args=[share_id]),
        "share-delete": reverse("snapshots:share_delete", args=[share_id]),
        "moderation": reverse("snapshots:moderation_queue"),
        "audit": reverse("snapshots:moderation_audit"),
        "collection": reverse("snapshots:share_page", args=[share.token]),
        "api-docs": reverse("api_docs"),
        "reader": reverse("snapshots:snapshot_reader", args=[stored.pk]),
        "missing": "/no-such-page/",
        # Pages a form's answer shows; last, as the popup's saves a link in each language.
        "bulk-delete": (
            reverse("snapshots:link_bulk"),
            [("action", "delete"), *[("ids", str(link.pk)) for link, _ in links[:3]]],
        ),
        "tag-merge": (reverse("snapshots:tag_rename"), [("old", "统计数据"), ("new", "政府")]),
        "popup-done": (reverse("snapshots:link_add") + "?popup=1", [("url", "https://example.org/popup-{language}")]),
        "refused": (reverse("snapshots:link_bulk"), TOO_MANY_FIELDS),
    }


@pytest.fixture
def visitor_site(owner, site) -> dict[str, str]:
    """The pages a visitor sees signed out: the welcome page, the ways in, a shared collection."""
    share = owner.shares.get()
    shared = Snapshot.objects.filter(link__owner=owner, text__startswith="第一段").last()
    # Someone who never signs in here: signing the owner in would void a reset link made for them.
    reader = User.objects.create_user("reader", email="reader@example.com")
    uid = urlsafe_base64_encode(force_bytes(reader.pk))
    return {
        "welcome": reverse("snapshots:link_list"),
        "login": reverse("accounts:login"),
        "signup": reverse("accounts:signup"),
        "reset": reverse("accounts:password_reset"),
        "reset-sent": reverse("accounts:password_reset_done"),
        "reset-done": reverse("accounts:password_reset_complete"),
        "receive-signed-out": reverse("snapshots:page_receive"),
        "reset-new": reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(reader)]),
        "shared": reverse("snapshots:share_page", args=[share.token]),
        "shared-snapshot": reverse("snapshots:share_snapshot", args=[share.token, shared.pk]),
        "report": reverse("snapshots:share_report", args=[share.token]) + f"?link={shared.link_id}",
        "profile": reverse("snapshots:profile", args=[owner.username]),
        "visitor-missing": "/no-such-page/",
    }


def set_viewport(browser, width: int, height: int) -> None:
    """The viewport at width x height, at once and without reloading the page (the server sends
    the same page to every screen; only the browser's layout differs)."""
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def test_every_page_fits_reads_and_is_accessible_on_phone_and_desk(browser, live_server, owner, site, visitor_site):
    """Each page is loaded once per language and checked at both sizes; the figures printed
    say where the time goes (axe-core is most of it)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    install_axe(browser)
    problems, figures, spent = [], [], dict.fromkeys(("load", "checks", "axe", "shot"), 0.0)
    for user, pages in ((owner, site), (None, visitor_site)):
        become(browser, live_server.url, user)
        for language in ("zh-hans", "en"):
            browser.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "path": "/"})
            for name, path in pages.items():
                started = time.monotonic()
                set_viewport(browser, *PHONE)
                _open(browser, live_server.url, path, language)
                if name == "api-docs":  # Redoc draws the reference after loading the schema
                    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "redoc h1"))
                spent["load"] += time.monotonic() - started
                for width, height in (PHONE, DESK):
                    where = f"{name} {language} {width}x{height}"
                    set_viewport(browser, width, height)
                    started = time.monotonic()
                    problems += page_problems(browser, where, width, language)
                    problems += _first_screen_problems(browser, name, where, height, figures)
                    spent["checks"] += time.monotonic() - started
                    started = time.monotonic()
                    problems += axe_problems(browser, where)
                    spent["axe"] += time.monotonic() - started
                    started = time.monotonic()
                    _save_whole_page(browser, SHOTS / f"{name}-{language}-{width}.png")
                    spent["shot"] += time.monotonic() - started
    print("\n".join(figures), {k: round(v, 1) for k, v in spent.items()})
    assert not problems, "\n".join(problems)


def _open(browser: WebDriver, server: str, page: str | Posted, language: str) -> None:
    """Load a page by its address, or by sending its form from the page open now."""
    if isinstance(page, str):
        browser.get(server + page)
        return
    path, fields = page
    token = browser.get_cookie(settings.CSRF_COOKIE_NAME)["value"]
    sent = [(name, value.format(language=language)) for name, value in fields]
    browser.execute_script(POST_JS, server + path, [*sent, ("csrfmiddlewaretoken", token)])
    wait(browser).until(
        lambda b: b.execute_script("return !window.walkPosting && document.readyState === 'complete'")
    )


def _first_screen_problems(browser, name: str, where: str, height: int, figures: list[str]) -> list[str]:
    """The list shows enough links on the first screen; the welcome page shows both ways in; the
    reset link opens the new password's form (not the expired link's message)."""
    problems = []
    if name == "reset-new" and not browser.find_elements(By.CSS_SELECTOR, "input[type=password]"):
        problems.append(f"{where}: no new password form")
    if name == "list":
        shown = browser.execute_script(ROWS_ON_SCREEN_JS)
        wanted = LINKS_ON_PHONE if height == PHONE[1] else LINKS_ON_DESK
        header = browser.find_element(By.CSS_SELECTOR, "header.topbar").rect["height"]
        figures.append(f"{where}: header {header:.0f} px, {shown} links on the first screen")
        if shown < wanted:
            problems.append(f"{where}: {shown} links on the first screen")
    if name == "welcome":
        for way in ("accounts:signup", "accounts:login"):
            way_in = browser.find_element(By.CSS_SELECTOR, f"main a[href='{reverse(way)}']")
            if way_in.rect["y"] + way_in.rect["height"] > height:
                problems.append(f"{where}: {way} below the first screen")
    return problems


def test_dark_screens_get_dark_pages(browser, live_server, owner, site):
    become(browser, live_server.url, owner)
    dark = {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", dark)
    SHOTS.mkdir(parents=True, exist_ok=True)
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
    # optimizeForSpeed: a faster PNG encoder, larger files; the walk saves about 180 pictures.
    options = {"captureBeyondViewport": True, "clip": clip, "optimizeForSpeed": True}
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", options)
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
