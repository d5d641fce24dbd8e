"""What a capture browser is allowed to take from the machine and the network: a low CPU
priority, and no contact with anything but the pages it is sent to."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from capture import browser, procs
from capture.engine import capture
from capture.results import CaptureLimits


def _thread_niceness(pid: int) -> list[int]:
    values = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []  # the process ended meanwhile
    for task in tasks:
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        values.append(int(stat[stat.rfind(")") + 2 :].split()[16]))
    return values


def test_chromedriver_and_every_chromium_process_run_niced(pages, config):
    assert config.browser_nice == 10  # the default of CAPTURE_BROWSER_NICE, through capture_config()
    assert os.getpriority(os.PRIO_PROCESS, 0) < config.browser_nice
    assert capture(pages.url("/report.html"), config).ok
    session = browser.current()
    pids = session.pids()
    chromium = [p for p in pids if "chromium" in " ".join(procs.cmdline(p))]
    assert len(chromium) >= 3  # browser, zygotes, renderers, GPU and utility processes
    niceness = {pid: value for pid in pids if (value := procs.niceness(pid)) is not None}  # some come and go
    assert len(niceness) >= 3 and min(niceness.values()) >= config.browser_nice, niceness
    # Chromium sets its threads' priorities itself; none may climb back above the workers'.
    assert min(min(_thread_niceness(pid) or [config.browser_nice]) for pid in pids) >= config.browser_nice


def test_chromium_contacts_nothing_but_the_page(pages, config):
    browser.shutdown()  # a fresh start: Chromium's own services would call out right then
    assert capture(pages.url("/report.html"), config).ok
    endless = capture(pages.url("/endless"), replace(config, limits=CaptureLimits(deadline=5, page_load_budget=1)))
    assert endless.ok, endless.error
    seen = browser.current().proxy.destinations()
    assert len(seen) >= 5  # the page, its stylesheet, images and favicon, the endless page
    assert {(d.host, d.port) for d in seen} == {("127.0.0.1", pages.port)}, seen
