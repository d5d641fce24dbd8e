"""Hostile pages are ordinary work: each ends succeeded or failed within its deadline."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from capture import browser, reasons
from capture.engine import capture
from capture.reasons import Reason
from capture.results import CaptureConfig, CaptureLimits

DEADLINE = 10.0


def _limited(config: CaptureConfig, **limits) -> CaptureConfig:
    return replace(config, limits=CaptureLimits(**limits))


@pytest.mark.parametrize(
    ("path", "ok", "error", "status"),
    [
        ("/alerts", True, None, 200),
        ("/popups", True, None, 200),
        ("/beforeunload", True, None, 200),
        ("/missing", True, None, 404),
        ("/broken", True, None, 500),
        ("/redirect-loop", False, Reason(reasons.TOO_MANY_REDIRECTS), None),
        ("/download", False, Reason(reasons.DOWNLOAD_NOT_PAGE, {"content_type": "application/octet-stream"}), None),
    ],
)
def test_hostile_page_ends_within_deadline(pages, config, path, ok, error, status):
    started = time.monotonic()
    result = capture(pages.url(path), _limited(config, deadline=DEADLINE, page_load_budget=4))
    assert time.monotonic() - started < DEADLINE
    assert (result.ok, result.error) == (ok, error)
    assert result.http_status == status
    if ok:
        assert "screenshot" in result.artifacts and "pdf" in result.artifacts


def test_page_after_dialogs_and_popups_is_still_one_window(pages, config):
    capture(pages.url("/popups"), config)
    session = browser.acquire(config)
    assert len(session.driver.window_handles) == 1


def test_endless_loading_page_is_captured_when_budget_runs_out(pages, config):
    started = time.monotonic()
    result = capture(pages.url("/endless"), _limited(config, deadline=DEADLINE, page_load_budget=2))
    elapsed = time.monotonic() - started
    assert result.ok, result.error
    assert Reason(reasons.STILL_LOADING) in result.notes
    assert "正在加载的页面" in result.text
    assert 2 <= elapsed < DEADLINE


def test_20_mb_page_within_deadline(pages, config):
    started = time.monotonic()
    result = capture(pages.url("/big"), _limited(config, deadline=DEADLINE, page_load_budget=4))
    assert time.monotonic() - started < DEADLINE
    assert result.ok or result.error == Reason(reasons.TIMED_OUT, {"seconds": f"{DEADLINE:g}"})
    if result.ok:  # on a busy machine it may run out of time after the screenshot
        assert "screenshot" in result.artifacts
        assert Reason(reasons.SCREENSHOT_CUT, {"px": "15,000"}) in result.notes


def test_byte_limit_keeps_what_arrived(pages, config):
    started = time.monotonic()
    result = capture(pages.url("/heavy"), _limited(config, deadline=DEADLINE, page_load_budget=4, max_bytes=2_000_000))
    assert time.monotonic() - started < DEADLINE
    assert result.ok, result.error
    assert Reason(reasons.DOWNLOAD_LIMIT_REACHED, {"mb": 2}) in result.notes
    assert "正文在前" in result.text


def test_downloads_are_never_written_to_disk(pages, config, profile_root):
    capture(pages.url("/download"), config)
    capture(pages.url("/report.html"), config)  # a page linking nowhere, to let any download settle
    found = [p for p in profile_root.rglob("*") if p.name.startswith("evil") or p.suffix == ".crdownload"]
    home_downloads = Path.home() / "Downloads"
    assert not found
    assert not (home_downloads.exists() and any(p.name.startswith("evil") for p in home_downloads.iterdir()))


def test_busy_script_page_fails_or_succeeds_within_deadline(pages, config):
    pages.routes["/busy"] = lambda _h: (200, {"Content-Type": "text/html; charset=utf-8"},
                                        "<title>busy</title><p>忙</p><script>onload = () => { for (;;) {} };</script>"
                                        .encode())
    started = time.monotonic()
    result = capture(pages.url("/busy"), _limited(config, deadline=6, page_load_budget=2))
    assert time.monotonic() - started < 6
    assert result.ok or result.error == Reason(reasons.TIMED_OUT, {"seconds": "6"})
    after = capture(pages.url("/report.html"), _limited(config, deadline=DEADLINE, page_load_budget=4))
    assert after.ok, after.error
