"""The filtering proxy on its own: what it forwards, what it refuses, and what it counts."""

from __future__ import annotations

import http.client
import logging
import socket

import pytest

from capture.netguard import AllowedOrigins
from capture.proxy import Destination, FilteringProxy
from capture.proxy_scope import Scope
from capture.resolver import DnsServerResolver


@pytest.fixture
def proxy(pages, dns):
    _resolver, dns_port = dns
    running = FilteringProxy()
    running.start()
    running.begin(Scope(AllowedOrigins([pages.origin]), DnsServerResolver(f"127.0.0.1:{dns_port}"), 10_000_000, 5))
    yield running
    running.stop()


def _get(proxy: FilteringProxy, url: str) -> tuple[int, bytes] | None:
    """A plain proxy request; None when the proxy dropped it without an answer."""
    connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=5)
    try:
        connection.request("GET", url, headers={"Sec-Fetch-Dest": "document"})
        response = connection.getresponse()
        try:
            return response.status, response.read()
        except http.client.IncompleteRead as cut:
            return response.status, cut.partial
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return None
    finally:
        connection.close()


def _connect(proxy: FilteringProxy, authority: str) -> int:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
        sock.sendall(f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n".encode())
        return int(sock.recv(1024).split(b" ", 2)[1])


def test_allowed_origin_is_forwarded_with_body(proxy, pages):
    status, body = _get(proxy, pages.url("/report.html"))
    assert status == 200
    assert "地区生产总值" in body.decode("utf-8")
    assert proxy.scope.bytes_received >= len(body)


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0.0.0.0", "[::ffff:127.0.0.1]", "[::1]",
     "localhost", "x.localhost", "rebind.test", "v6.test", "mixed.test", "metadata.test"],
)
def test_forbidden_spellings_and_dns_answers_are_refused(proxy, forbidden, host, caplog):
    caplog.set_level(logging.WARNING, logger="capture.netguard")
    assert _get(proxy, f"http://{host}:{forbidden.port}/x") is None
    assert _connect(proxy, f"{host}:{forbidden.port}") == 403
    blocked = [e for e in proxy.scope.events() if e.kind == "blocked"]
    assert len(blocked) == 2
    assert blocked[0].navigation is True and blocked[1].navigation is None
    assert any("blocked" in r.getMessage() for r in caplog.records)
    assert forbidden.connections == 0


def test_link_local_metadata_address_is_refused(proxy):
    assert _get(proxy, "http://169.254.169.254/latest/meta-data/") is None
    assert proxy.scope.events()[0].kind == "blocked"


def test_unresolvable_name_is_reported_as_such(proxy):
    assert _get(proxy, "http://nxdomain.test/") is None
    event = proxy.scope.events()[0]
    assert (event.kind, event.host) == ("unresolved", "nxdomain.test")


def test_other_port_of_allowed_host_is_refused(proxy, pages, forbidden):
    assert forbidden.port != pages.port
    assert _get(proxy, f"http://127.0.0.1:{forbidden.port}/") is None
    assert _connect(proxy, f"127.0.0.1:{forbidden.port}") == 403


def test_tunnel_to_allowed_origin_is_opened(proxy, pages):
    assert _connect(proxy, f"127.0.0.1:{pages.port}") == 200


def test_byte_limit_cuts_the_capture_off(pages, dns):
    _resolver, dns_port = dns
    small = FilteringProxy()
    small.start()
    try:
        small.begin(Scope(AllowedOrigins([pages.origin]), DnsServerResolver(f"127.0.0.1:{dns_port}"), 100_000, 5))
        result = _get(small, pages.url("/big"))
        received = 0 if result is None else len(result[1])
        assert received < 200_000
        assert small.scope.limit_reached
        assert _get(small, pages.url("/report.html")) is None  # nothing more for this capture
    finally:
        small.stop()


def test_requests_between_captures_are_refused(proxy, pages):
    proxy.end()
    assert _get(proxy, pages.url("/report.html")) is None


def test_every_destination_is_recorded_with_whether_it_came_during_a_capture(proxy, pages):
    assert _get(proxy, pages.url("/report.html"))[0] == 200
    proxy.end()
    assert _get(proxy, "http://update.example.com/service") is None
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
        sock.sendall(b"CONNECT accounts.example.com:443 HTTP/1.1\r\nHost: accounts.example.com:443\r\n\r\n")
        assert sock.recv(1024) == b""  # refused without an answer
    assert proxy.destinations() == [
        Destination("GET", "127.0.0.1", pages.port, in_capture=True),
        Destination("GET", "update.example.com", 80, in_capture=False),
        Destination("CONNECT", "accounts.example.com", 443, in_capture=False),
    ]


def test_malformed_requests_get_400(proxy):
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
        sock.sendall(b"GET /relative HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b" 400 " in sock.recv(1024)
