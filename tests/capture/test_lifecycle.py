"""The warm browser: reused, recycled, replaced after a crash, reaped when orphaned."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest

from capture import browser, procs
from capture.engine import capture
from capture.results import TransientCaptureError


def _wait_until(condition, timeout: float = 10.0) -> bool:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _idle_session() -> browser.BrowserSession | None:
    """The current session once its background reset finished."""
    with browser._lock:
        return browser.current()


def test_session_is_reused_between_captures(pages, config):
    assert capture(pages.url("/report.html"), config).ok
    first = _idle_session()
    assert capture(pages.url("/report_big5.html"), config).ok
    assert _idle_session() is first
    assert first.captures >= 2


def test_session_is_recycled_after_n_captures(pages, config):
    recycling = replace(config, browser_recycle_after=2)
    browser.shutdown()
    capture(pages.url("/report.html"), recycling)
    first = _idle_session()
    first_pids = first.pids()
    capture(pages.url("/report.html"), recycling)
    assert _idle_session() is None
    assert not [p for p in first_pids if procs.is_running(p)]
    assert not first.profile.exists()
    assert capture(pages.url("/report.html"), recycling).ok


def test_session_is_recycled_when_memory_grows(pages, config):
    capture(pages.url("/report.html"), replace(config, browser_max_rss_mb=100))
    assert _idle_session() is None


def test_memory_is_read_from_the_whole_browser_tree(pages, config):
    assert capture(pages.url("/report.html"), config).ok
    session = _idle_session()
    tree = session.pids()[1:]  # every process under chromedriver, found by reading them all
    assert len(tree) >= 3  # the browser, its zygote, a renderer at least
    assert sorted(procs.children_of(session.pids()[0])) == sorted(tree)
    assert session.rss_mb() == pytest.approx(sum(procs.rss_mb([pid]) for pid in tree), rel=0.2)
    assert session.rss_mb() > 50


def test_crashed_browser_is_replaced(pages, config):
    capture(pages.url("/report.html"), config)
    session = _idle_session()
    chromium = [p for p in session.pids()[1:] if "chromium" in " ".join(procs.cmdline(p)[:1])]
    procs.kill_all(chromium)
    try:
        outcome = "ok" if capture(pages.url("/report.html"), config).ok else "failed"
    except TransientCaptureError:
        outcome = "retry"  # noticed mid-capture: the task retries
    assert outcome in ("ok", "retry")  # noticed before use, or reported as transient
    assert capture(pages.url("/report.html"), config).ok
    assert _idle_session() is not session


def test_browser_killed_mid_capture_raises_transient_error(pages, config):
    pages.routes["/slow-kill"] = lambda _h: (time.sleep(1.0), (200, {"Content-Type": "text/html"}, b"<p>late"))[1]
    browser.prewarm(config)
    session = _idle_session()
    killer = _kill_later(session, 0.4)
    with pytest.raises(TransientCaptureError):
        capture(pages.url("/slow-kill"), config)
    killer.join()
    assert capture(pages.url("/report.html"), config).ok


def _kill_later(session, delay: float):
    def kill():
        time.sleep(delay)
        procs.kill_all(session.pids()[1:])

    thread = threading.Thread(target=kill)
    thread.start()
    return thread


def _dead_pid() -> int:
    pid = 4_000_000
    while procs.is_running(pid) or os.path.exists(f"/proc/{pid}"):
        pid -= 1
    return pid


def test_reap_orphans_kills_leftovers_of_dead_workers_only(config, profile_root):
    dead_profile = profile_root / f"{_dead_pid()}-1"
    live_profile = profile_root / "1-1"  # pid 1 is alive and not us: never touched
    for folder in (dead_profile, live_profile):
        folder.mkdir()
    stand_in = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", f"--user-data-dir={dead_profile}"]
    )
    try:
        killed = browser.reap_orphans(config)
        assert stand_in.pid in killed
        assert _wait_until(lambda: not procs.is_running(stand_in.pid))
        assert not dead_profile.exists()
        assert live_profile.exists()
    finally:
        stand_in.kill()
        stand_in.wait()
        live_profile.rmdir()


def test_shutdown_leaves_no_process_and_prewarm_starts_again(pages, config):
    capture(pages.url("/report.html"), config)
    session = _idle_session()
    pids = session.pids()
    assert len(pids) > 2
    browser.shutdown()
    assert _wait_until(lambda: not [p for p in pids if procs.is_running(p)])
    assert not session.profile.exists()
    browser.prewarm(config)
    assert browser.current() is not None and browser.current().alive()


def _blank_tab_facts(session: browser.BrowserSession) -> tuple[str, str, int]:
    """The tab's document URL, its origin and how many history entries it has, once reset."""
    history = session.driver.execute_cdp_cmd("Page.getNavigationHistory", {})
    return (*session.driver.execute_script("return [location.href, origin]"), len(history["entries"]))


def test_after_a_capture_the_page_leaves_its_tab_blank_by_itself(pages, config):
    # A blank page the page asked for inherits its origin (and stays in its renderer, the cheap
    # way); one opened from DevTools has an opaque origin (a new renderer, the old way).
    assert capture(pages.url("/report.html"), config).ok
    assert _blank_tab_facts(_idle_session()) == ("about:blank", pages.origin, 1)


def test_after_an_uploaded_page_the_tab_gets_a_new_renderer(pages, config):
    from capture.sources.upload import UploadedPage

    uploaded = UploadedPage("<!doctype html><title>我的页面</title><p>只有我看得到".encode())
    assert capture(pages.url("/members/page"), config, uploaded).ok
    assert _blank_tab_facts(_idle_session()) == ("about:blank", "null", 1)


def test_the_top_frame_id_kept_for_the_session_stays_the_tabs_own(pages, config, caplog):
    # The steps that open a world in the top frame use the id the session read at its start;
    # were it stale, they would fail and the capture would quietly lose its copies.
    from capture.sources.upload import UploadedPage

    assert capture(pages.url("/report.html"), config).ok
    session = _idle_session()
    top = session.driver.execute_cdp_cmd("Page.getFrameTree", {})["frameTree"]["frame"]["id"]
    assert session.top_frame == top
    assert capture(pages.url("/members/page"), config, UploadedPage(b"<!doctype html><p>x")).ok  # a new renderer
    result = capture(pages.url("/article.html"), config)
    assert _idle_session() is session
    assert session.driver.execute_cdp_cmd("Page.getFrameTree", {})["frameTree"]["frame"]["id"] == top
    assert {"html", "reader"} <= set(result.artifacts)
    for fallback in ("could not prepare the page", "from the MHTML alone", "no reader copy"):
        assert fallback not in caplog.text
