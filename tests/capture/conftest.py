"""Shared fixtures of the capture tests: pages on 127.0.0.1, a forbidden server that must never
be reached, a hostile DNS server, the engine's config, and one warm browser for the whole run."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from capture import browser, procs
from capture.results import CaptureConfig, CaptureLimits
from snapshots.tasks.engine import capture_config
from tests.pages.dns import start_dns
from tests.pages.routes import forbidden_routes, hostile_routes
from tests.pages.server import FixtureServer

LIMITS = CaptureLimits(deadline=10, page_load_budget=4, max_bytes=50 * 1024 * 1024)


def _profile_processes(root: Path) -> list[int]:
    marker = f"--user-data-dir={root}"
    return [pid for pid in procs.all_pids() if any(a.startswith(marker) for a in procs.cmdline(pid))
            and procs.is_running(pid)]


@pytest.fixture(scope="session")
def forbidden():
    server = FixtureServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def dns():
    server, resolver, port = start_dns()
    yield resolver, port
    server.stop()


@pytest.fixture(scope="session")
def pages(forbidden):
    routes = {**hostile_routes(), **forbidden_routes(forbidden.origin, forbidden.port)}
    server = FixtureServer(routes).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def profile_root():
    with tempfile.TemporaryDirectory(prefix="linkhome-capture-") as folder:
        yield Path(folder)


@pytest.fixture(scope="session")
def config(pages, dns, profile_root) -> CaptureConfig:
    """The app's config, but: only the pages server allowed, names resolved by the hostile DNS
    server, profiles in tmp, short limits."""
    _resolver, dns_port = dns
    return replace(
        capture_config(),
        limits=LIMITS,
        allowed_origins=(pages.origin,),
        dns_server=f"127.0.0.1:{dns_port}",
        profile_root=profile_root,
        browser_recycle_after=1000,
    )


@pytest.fixture(scope="session", autouse=True)
def browser_shut_down_at_the_end(config, profile_root):
    """At the end the browser is shut down and no Chromium of this run may remain."""
    try:
        yield
    finally:
        browser.shutdown()
    survivors = _profile_processes(profile_root)
    assert not survivors, f"Chromium processes survived the test run: {survivors}"
    assert not [p for p in profile_root.iterdir()], "profile folders left behind"


@pytest.fixture(autouse=True)
def nothing_reaches_forbidden(forbidden):
    """Every capture test ends with the forbidden server untouched."""
    yield
    assert forbidden.connections == 0, f"forbidden server was reached: {forbidden.requests}"


def chromium_count() -> int:
    return len([p for p in procs.all_pids() if "chromium" in " ".join(procs.cmdline(p)[:1])
                and procs.is_running(p) and os.getpid() != p])
