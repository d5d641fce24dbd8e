"""No page can make the browser reach a forbidden address, whatever route it takes.

The `nothing_reaches_forbidden` fixture (conftest) checks after every test that the forbidden
server on another 127.0.0.1 port accepted zero connections.
"""

from __future__ import annotations

import logging
import time

import pytest

from capture import reasons
from capture.engine import capture
from capture.reasons import Reason

NOT_ALLOWED = Reason(reasons.ADDRESS_NOT_ALLOWED)


def _blocked_records(caplog, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "capture.netguard" and "blocked" in r.getMessage()
            and text in r.getMessage()]


def _wait_for_block(caplog, text: str, timeout: float = 3.0) -> list[logging.LogRecord]:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        found = _blocked_records(caplog, text)
        if found:
            return found
        time.sleep(0.02)
    return []


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "2130706433", "017700000001", "0x7f000001", "0x7f.1", "127.1", "0.0.0.0", "[::ffff:127.0.0.1]",
     "[::1]", "localhost", "x.localhost", "[::ffff:7f00:1]"],
)
def test_direct_urls_in_any_spelling_fail_fast(forbidden, config, host):
    started = time.monotonic()
    result = capture(f"http://{host}:{forbidden.port}/", config)
    assert (result.ok, result.error) == (False, NOT_ALLOWED)
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("name", ["rebind.test", "v6.test", "mixed.test", "metadata.test"])
def test_dns_names_resolving_to_private_addresses_fail(forbidden, config, name, caplog, dns):
    caplog.set_level(logging.INFO, logger="capture.netguard")
    result = capture(f"http://{name}:{forbidden.port}/", config)
    assert (result.ok, result.error) == (False, NOT_ALLOWED)
    assert _blocked_records(caplog, name)
    assert name + "." in dns[0].queries


def test_unresolvable_name_fails_with_a_clear_reason(config):
    result = capture("http://nxdomain.test/", config)
    assert (result.ok, result.error) == (False, Reason(reasons.HOST_NOT_RESOLVED, {"host": "nxdomain.test"}))


@pytest.mark.parametrize("path", ["/bypass/redirect", "/bypass/refresh", "/bypass/jsnav"])
def test_navigations_to_forbidden_are_refused(pages, config, path, caplog):
    caplog.set_level(logging.INFO, logger="capture.netguard")
    result = capture(pages.url(path), config)
    assert result.ok or result.error == NOT_ALLOWED
    assert _wait_for_block(caplog, "document request")
    if path == "/bypass/redirect":
        assert (result.ok, result.error) == (False, NOT_ALLOWED)


@pytest.mark.parametrize(
    ("path", "what"),
    [
        ("/bypass/img", "image request"),
        ("/bypass/iframe", "iframe request"),
        ("/bypass/css", "image request"),
        ("/bypass/font", "font request"),
        ("/bypass/fetch", "empty request"),
        ("/bypass/ws", "tunnel request"),
        ("/bypass/sw", "empty request"),
    ],
)
def test_subresources_to_forbidden_are_refused_and_page_still_captured(pages, config, path, what, caplog):
    caplog.set_level(logging.INFO, logger="capture.netguard")
    result = capture(pages.url(path), config)
    assert result.ok, result.error
    assert _wait_for_block(caplog, what), [r.getMessage() for r in caplog.records]
    assert any(note.code == reasons.REQUESTS_BLOCKED for note in result.notes) or path in ("/bypass/ws", "/bypass/sw")


def test_every_odd_spelling_of_an_image_host_is_refused(pages, config, caplog):
    caplog.set_level(logging.INFO, logger="capture.netguard")
    result = capture(pages.url("/bypass/img"), config)
    assert result.ok
    messages = " ".join(r.getMessage() for r in _blocked_records(caplog, " request to "))
    for spelling in ("127.0.0.1", "0.0.0.0", "::ffff:7f00:1", "::1:", "localhost", "x.localhost", "rebind.test"):
        assert spelling in messages, spelling


def test_window_open_and_prefetch_reach_nothing(pages, config):
    for path in ("/bypass/open", "/bypass/link-prefetch"):
        result = capture(pages.url(path), config)
        assert result.ok, result.error
