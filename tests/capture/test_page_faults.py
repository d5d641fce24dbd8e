"""The page's fault or ours: a hostile page fails for good with a reason and a fresh browser
follows; a browser that broke under us raises TransientCaptureError so the task tries again."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from capture import browser, procs, reasons
from capture.engine import capture
from capture.reasons import Reason
from capture.results import CaptureConfig, CaptureLimits, TransientCaptureError
from tests.support.waiting import wait_for

HOSTILE = CaptureLimits(deadline=3, page_load_budget=1, page_answer_timeout=0.5)
HTML = {"Content-Type": "text/html; charset=utf-8"}


def _page(body: str):
    payload = f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>{body}".encode()
    return lambda _handler: (200, HTML, payload)


@pytest.fixture
def hostile(config) -> CaptureConfig:
    browser.prewarm(config)  # a cold start would eat most of a 3 s deadline
    return replace(config, limits=HOSTILE)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/spin/before-load", "<title>忙</title><p>正文</p><script>for (;;) {}</script><p>永远到不了</p>"),
        ("/spin/on-load", "<title>忙</title><p>正文</p><script>onload = () => { for (;;) {} };</script>"),
        ("/spin/after-load", "<title>忙</title><script>onload = () => setTimeout(() => { for (;;) {} });</script>"),
    ],
)
def test_spinning_page_fails_once_with_a_reason_and_the_next_capture_gets_a_fresh_browser(
    pages, config, hostile, path, body
):
    pages.routes[path] = _page(body)
    spun_in = browser.current()
    started = time.monotonic()
    result = capture(pages.url(path), hostile)  # returns: a page fault is never raised for a retry
    assert time.monotonic() - started < HOSTILE.deadline
    assert (result.ok, result.error, result.artifacts) == (False, Reason(reasons.PAGE_UNRESPONSIVE), {})
    old_pids = spun_in.pids()
    wait_for(lambda: not any(procs.is_running(p) for p in old_pids), timeout=10, what="spinning browser gone")
    after = capture(pages.url("/report.html"), config)
    assert after.ok, after.error
    assert browser.current() is not spun_in and browser.current().alive()


def test_page_breaking_the_capture_scripts_fails_with_a_reason(pages, hostile):
    pages.routes["/interferes"] = _page(
        "<title>干扰</title><p>正文</p><script>Document.prototype.querySelectorAll = () => { throw new Error('no'); };"
        "Document.prototype.querySelector = () => { throw new Error('no'); };</script>"
    )
    result = capture(pages.url("/interferes"), hostile)
    assert (result.ok, result.error) == (False, Reason(reasons.PAGE_INTERFERED))


def test_slow_page_that_answers_is_not_unresponsive(pages, hostile):
    pages.routes["/busy-but-fine"] = _page(
        "<title>慢</title><p>正文</p><script>const end = performance.now() + 300; while (performance.now() < end) {}"
        "</script>"
    )
    result = capture(pages.url("/busy-but-fine"), hostile)
    assert result.ok, result.error
    assert result.title == "慢"


def test_chromedriver_gone_mid_capture_is_ours_to_retry_and_leaves_no_chromium(pages, config):
    pages.routes["/slow-driver"] = lambda _h: (time.sleep(1.0), (200, HTML, "<p>迟到".encode()))[1]
    browser.prewarm(config)
    session = browser.current()
    chromium = procs.started_with(session.profile)
    assert chromium
    killer = _later(0.3, lambda: procs.kill_all([session.pids()[0]]))
    with pytest.raises(TransientCaptureError) as raised:
        capture(pages.url("/slow-driver"), config)
    killer.join()
    assert "Stacktrace" not in str(raised.value)
    wait_for(lambda: not procs.started_with(session.profile), timeout=10, what="orphaned Chromium killed")
    assert capture(pages.url("/report.html"), config).ok


def _later(delay: float, action) -> threading.Timer:
    timer = threading.Timer(delay, action)
    timer.start()
    return timer
