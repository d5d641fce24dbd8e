"""Pages that navigate themselves during the capture: the new document is captured whole, a page
that never stops fails with a plain reason, and nothing of a previous capture can be reached."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from capture import browser, reasons
from capture.engine import capture
from capture.reasons import Reason
from capture.results import CaptureConfig, CaptureLimits

HOSTILE = CaptureLimits(deadline=3, page_load_budget=1, page_answer_timeout=0.5)
HTML = {"Content-Type": "text/html; charset=utf-8"}


def _page(head: str, body: str = ""):
    payload = f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    return lambda _handler: (200, HTML, payload.encode())


@pytest.fixture
def hostile(config) -> CaptureConfig:
    browser.prewarm(config)
    return replace(config, limits=HOSTILE)


@pytest.fixture
def nav_pages(pages):
    pages.routes.update({
        "/nav/landing": _page("<title>目的地</title>", "<p>新文档的正文</p>"),
        "/nav/replace-on-load": _page(
            "<title>出发</title><script>onload = () => location.replace('/nav/landing');</script>", "<p>旧文档</p>"
        ),
        "/nav/replace-later": _page(
            "<title>出发</title><script>onload = () => setTimeout(() => location.replace('/nav/landing'), 50);"
            "</script>", "<p>旧文档</p>"
        ),
        "/nav/refresh": _page("<title>出发</title><meta http-equiv='refresh' content='0;url=/nav/landing'>"),
        "/nav/assign-in-body": _page(
            "<title>出发</title>", "<p>旧文档</p><script>location.href = '/nav/landing';</script>"
        ),
        "/nav/loop": _page(
            "<title>循环</title><script>onload = () => location.replace('/nav/loop?n=' + Math.random());</script>",
            "<p>每次都换</p>",
        ),
        "/nav/loop-at-load": _page(
            "<title>循环</title><script>onload = () => setTimeout("
            "() => location.replace('/nav/loop-at-load?n=' + Math.random()));</script>",
            "<p>每次都换</p>",
        ),
        "/nav/refresh-loop": lambda handler: (200, HTML, (
            "<!DOCTYPE html><meta charset='utf-8'><title>刷新</title>"
            f"<meta http-equiv='refresh' content='0.1;url=/nav/refresh-loop?n={len(handler.server.requests)}'>"
            "<p>每次都换</p>"
        ).encode()),
        "/nav/loop-after-load": _page(
            "<title>循环</title><script>onload = () => setTimeout("
            "() => location.replace('/nav/loop-after-load?n=' + Math.random()), 100);</script>",
            "<p>每次都换</p>",
        ),
        "/nav/push-state": _page(
            "<title>同一文档</title><script>let n = 0;"
            "setInterval(() => history.pushState({}, '', '/nav/p' + n++), 50);</script>",
            "<p>地址在变，文档不变</p>",
        ),
        "/nav/secret": _page("<title>别人的页面</title>", "<p>上一次抓取的机密内容</p>"),
        "/nav/go-back": _page(
            "<title>回退</title><script>onload = () => history.go(-2);</script>",
            "<p>回退页</p>",
        ),
    })
    return pages


@pytest.mark.parametrize("path", ["/nav/replace-on-load", "/nav/replace-later", "/nav/refresh", "/nav/assign-in-body"])
def test_page_that_navigates_itself_is_captured_as_its_new_document(nav_pages, hostile, path):
    started = time.monotonic()
    result = capture(nav_pages.url(path), hostile)
    assert time.monotonic() - started < HOSTILE.deadline
    assert result.ok, result.error
    if result.title == "出发":  # only a page leaving 50 ms late may be captured whole before it goes
        assert path == "/nav/replace-later"
        url, text, other = path, "旧文档", "新文档的正文"
    else:
        url, text, other = "/nav/landing", "新文档的正文", "旧文档"
    assert (result.final_url, result.text.strip()) == (nav_pages.url(url), text)
    dom = result.artifacts["dom"].data.decode("utf-8")
    assert text in dom and other not in dom  # every artifact is of one document


@pytest.mark.parametrize("path", ["/nav/refresh-loop", "/nav/loop", "/nav/loop-at-load"])
def test_page_that_never_stops_navigating_is_captured_whole_or_fails_plainly(nav_pages, hostile, path):
    started = time.monotonic()
    result = capture(nav_pages.url(path), hostile)  # never raises, never a driver's words
    assert time.monotonic() - started < HOSTILE.deadline
    # The engine follows it until the load budget is spent, then stops loading, which also stops
    # the next navigation: that document is captured. A refresh can still strike mid-capture.
    assert result.error in (None, Reason(reasons.PAGE_NEVER_SETTLED), Reason(reasons.TIMED_OUT, {"seconds": "3"}))
    if result.ok:
        assert result.text.strip() == "每次都换"
        assert result.final_url.startswith(nav_pages.url(path))


def test_page_whose_script_would_navigate_after_load_is_frozen_and_captured(nav_pages, hostile):
    result = capture(nav_pages.url("/nav/loop-after-load"), hostile)
    assert result.ok, result.error
    # Which of its documents is frozen depends on how fast the machine is (each moves on 100 ms
    # after its load); whichever it is, it is captured whole and stays put.
    assert result.final_url.startswith(nav_pages.url("/nav/loop-after-load"))
    assert (result.title, result.text.strip()) == ("循环", "每次都换")
    assert {"screenshot", "html", "pdf", "text"} <= set(result.artifacts)


def test_history_tricks_in_one_document_are_captured(nav_pages, hostile):
    result = capture(nav_pages.url("/nav/push-state"), hostile)
    assert result.ok, result.error
    assert "地址在变，文档不变" in result.text
    assert result.final_url.startswith(nav_pages.url("/nav/"))


def test_going_back_never_reaches_the_previous_capture(nav_pages, config):
    assert capture(nav_pages.url("/nav/secret"), config).ok
    result = capture(nav_pages.url("/nav/go-back"), config)
    assert "机密" not in result.text and "secret" not in result.final_url
    for artifact in result.artifacts.values():
        assert "机密".encode() not in artifact.data
