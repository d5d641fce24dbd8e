"""The full-page screenshot shows the page as its reader saw it at the top: fixed and sticky
elements once, in place; consent dialogs, login walls, app bars and scroll locks hidden (never
clicked), unless the link keeps its page as served. Fixture pages: tests/pages/overlays/."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from urllib.parse import quote

import pypdfium2
import pytest
from PIL import Image

from capture import browser, reasons
from capture.engine import capture
from capture.overlays import inpage
from capture.overlays.rules import consent_rules

SHOTS = os.environ.get("OVERLAY_SHOTS", "/tmp/shots-overlays")
CREAM = (244, 241, 232)  # the fixture article's background
HIDING = {reasons.CONSENT_HIDDEN, reasons.COOKIE_NOTICE_HIDDEN, reasons.DIALOG_HIDDEN, reasons.APP_BAR_HIDDEN,
          reasons.SCROLL_LOCK_REMOVED}


def _shot(result, name: str) -> Image.Image:
    assert result.ok, result.error
    image = Image.open(io.BytesIO(result.artifacts["screenshot"].data)).convert("RGB")
    os.makedirs(SHOTS, exist_ok=True)
    image.save(os.path.join(SHOTS, f"{name}.png"))
    return image


def _near(pixel: tuple[int, ...], colour: tuple[int, int, int], within: int = 12) -> bool:
    return all(abs(a - b) <= within for a, b in zip(pixel, colour, strict=False))


def _rows(image: Image.Image, colour: tuple[int, int, int], x: int = 5, within: int = 10) -> list[int]:
    """The rows whose pixel at `x` has `colour` (WebP shifts colours slightly, and blurs edges)."""
    return [y for y in range(image.height) if _near(image.getpixel((x, y)), colour, within)]


def _window_height(config) -> int:
    """The height of the window the reader (the capture browser) sees the page in."""
    return int(browser.acquire(config).driver.execute_script("return innerHeight"))


def _codes(result) -> dict[str, dict]:
    return {note.code: dict(note.params) for note in result.notes}


def _clicks(pages) -> list[str]:
    return [path for path in pages.requests if path.startswith("/overlays/clicked")]


def test_the_consent_rules_come_from_the_installed_rule_set():
    names = {name for name, _selector, _pattern in consent_rules()}
    assert len(names) > 200
    assert {"Onetrust", "Cybotcookiebot"} <= names


def test_a_cookie_banner_and_its_backdrop_are_hidden_without_a_click(pages, config):
    result = capture(pages.url("/overlays/cookie.html"), config)
    image = _shot(result, "cookie")
    assert _near(image.getpixel((640, 360)), CREAM), "the backdrop still covers the article"
    assert _near(image.getpixel((640, _window_height(config) - 20)), CREAM), "the banner is still at the bottom"
    assert "Onetrust" in _codes(result)[reasons.CONSENT_HIDDEN]["cmp"]
    assert _clicks(pages) == []
    # Only the screenshot changed: the DOM is the page as served, banner and buttons included.
    dom = result.artifacts["dom"].data.decode("utf-8-sig")
    assert 'id="onetrust-accept-btn-handler"' in dom and "!important" not in dom
    offline = result.artifacts["html"].data.decode("utf-8")
    assert "onetrust-banner-sdk" in offline and "!important" not in offline
    pdf = pypdfium2.PdfDocument(result.artifacts["pdf"].data)
    assert "Reject All" in "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


def test_kept_as_served_the_banner_shows_once_where_it_was(pages, config):
    result = capture(pages.url("/overlays/cookie.html"), replace(config, hide_overlays=False))
    image = _shot(result, "cookie-as-served")
    assert not _near(image.getpixel((640, 360)), CREAM), "the backdrop was hidden"
    banner = _rows(image, (31, 58, 147), x=640)
    assert banner and abs(banner[-1] - _window_height(config)) <= 5, "the banner is not at the window's bottom"
    assert _near(image.getpixel((640, 1500)), CREAM), "the backdrop was stretched over the page"
    assert not HIDING & set(_codes(result))
    assert _clicks(pages) == []


def test_a_login_wall_and_its_scroll_lock_are_removed(pages, config):
    result = capture(pages.url("/overlays/zhihu.html"), config)
    image = _shot(result, "zhihu")
    codes = _codes(result)
    assert codes[reasons.DIALOG_HIDDEN] == {"count": 2}  # the backdrop and the sign-in dialog
    assert reasons.SCROLL_LOCK_REMOVED in codes
    assert image.height > 2600, "the page was cut at the scroll lock"
    assert _near(image.getpixel((640, 360)), CREAM)
    assert _clicks(pages) == []


@pytest.mark.parametrize(("page", "colour", "from_bottom"),
                         [("csdn", (252, 85, 49), None), ("baidu", (48, 96, 255), 30)])
def test_open_in_app_bars_are_hidden(pages, config, page, colour, from_bottom):
    result = capture(pages.url(f"/overlays/{page}.html"), config)
    image = _shot(result, page)
    assert not _rows(image, colour, x=640), "the app bar is still in the screenshot"
    assert _codes(result)[reasons.APP_BAR_HIDDEN] == {"count": 1}
    served = capture(pages.url(f"/overlays/{page}.html"), replace(config, hide_overlays=False))
    kept = _shot(served, f"{page}-as-served")
    y = 30 if from_bottom is None else _window_height(config) - from_bottom
    assert _near(kept.getpixel((640, y)), colour, 10), "kept as served, the bar is where the reader saw it"


def test_a_sticky_header_a_fixed_sidebar_and_toolbar_appear_once_where_they_were(pages, config):
    result = capture(pages.url("/overlays/news.html"), config)
    image = _shot(result, "news")
    masthead = _rows(image, (200, 16, 46), within=40)
    assert masthead[0] == 0 and masthead[-1] - masthead[0] == len(masthead) - 1 and 58 <= len(masthead) <= 61, \
        "the masthead (60 px) is not once at the top"
    toolbar = _rows(image, (69, 90, 100), within=25)
    bottom = _window_height(config)
    assert 46 <= len(toolbar) <= 50 and abs(toolbar[-1] - bottom) <= 3, "the toolbar is not where the reader saw it"
    # A fixed sidebar with a login link is part of the site, not a login wall: kept, in place.
    sidebar = _rows(image, (255, 213, 79), within=25)
    assert 418 <= len(sidebar) <= 422 and abs(sidebar[0] - 80) <= 2, "the sidebar is not where the reader saw it"
    assert image.height > 2600
    assert not HIDING & set(_codes(result))


RESTORED_PAGE = """<!DOCTYPE html><html><head><title>r</title></head>
<body style="overflow: hidden; margin:0">
<div id="bar" style="color: red;position:fixed;bottom:0;left:0;right:0;height:40px;z-index:5">打开App 阅读全文</div>
<div id="cmp" class="onetrust-pc-dark-filter" style="position:fixed;inset:0;z-index:99"></div>
<header id="head" style="position:sticky;top:0;height:30px">masthead</header>
<div style="height:3000px">content</div></body></html>"""


def test_every_style_attribute_is_put_back_exactly_after_the_shot(config):
    session = browser.acquire(config)
    driver = session.driver
    driver.get("data:text/html;charset=utf-8," + quote(RESTORED_PAGE))
    before = driver.execute_script("return document.documentElement.outerHTML")
    context = inpage.world(driver, session.top_frame)
    prepared = inpage.prepare(driver, context, "https://example.com/", True, 5)
    assert prepared.app_bar == 1 and prepared.consent == ["Onetrust"] and prepared.scroll_lock
    shown = driver.execute_script(
        "return ['bar', 'cmp', 'head'].map(id => getComputedStyle(document.getElementById(id)))"
        ".map(s => s.display + ' ' + s.position)")
    assert shown == ["none fixed", "none fixed", "block relative"]
    assert inpage.restore(driver, context, 5) == 4  # the bar, the backdrop, the header and the body
    assert driver.execute_script("return document.documentElement.outerHTML") == before
