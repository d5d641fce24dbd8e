"""The engine says why as codes: each refusal and navigation failure has its code and parameters."""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
import time

import pytest

from capture import fetch, reasons
from capture.engine import precheck
from capture.netguard import AllowedOrigins
from capture.proxy_scope import ProxyEvent
from capture.reasons import Reason


def test_codes_are_unique_and_fit_the_column():
    constants = {v for k, v in vars(reasons).items() if k.isupper() and not k.startswith("_") and isinstance(v, str)}
    assert len(reasons.ALL) == len(set(reasons.ALL))
    assert set(reasons.ALL) == constants
    assert all(0 < len(code) <= 40 and code.isascii() and code == code.lower() for code in reasons.ALL)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", Reason(reasons.INVALID_URL)),
        ("ftp://example.com/", Reason(reasons.SCHEME_NOT_ALLOWED)),
        ("http:///path", Reason(reasons.NO_HOST)),
        ("https://user:secret@example.com/", Reason(reasons.CREDENTIALS_IN_URL)),
        ("http://10.0.0.1/", Reason(reasons.ADDRESS_NOT_ALLOWED)),
        ("https://example.com/", None),
    ],
)
def test_precheck_refuses_with_a_code(url, reason):
    assert precheck(url, AllowedOrigins()) == reason


def _event(kind: str, host: str = "example.com", port: int = 443, navigation: bool | None = True) -> ProxyEvent:
    return ProxyEvent(kind=kind, scheme=None, host=host, port=port, dest="document", target=host, navigation=navigation)


@pytest.mark.parametrize(
    ("error_text", "events", "reason"),
    [
        ("net::ERR_CONNECTION_REFUSED", [], Reason(reasons.CONNECTION_REFUSED)),
        ("net::ERR_TOO_MANY_REDIRECTS", [], Reason(reasons.TOO_MANY_REDIRECTS)),
        ("net::ERR_BLOCKED_BY_CLIENT", [], Reason(reasons.ADDRESS_NOT_ALLOWED)),
        ("net::ERR_TUNNEL_CONNECTION_FAILED", [_event("blocked", navigation=None)],
         Reason(reasons.ADDRESS_NOT_ALLOWED)),
        ("net::ERR_TUNNEL_CONNECTION_FAILED", [_event("unresolved", "nx.test", navigation=None)],
         Reason(reasons.HOST_NOT_RESOLVED, {"host": "nx.test"})),
        ("net::ERR_EMPTY_RESPONSE", [_event("unreachable", "example.com", 8443)],
         Reason(reasons.HOST_UNREACHABLE, {"host": "example.com", "port": 8443})),
        ("net::ERR_CERT_DATE_INVALID", [], Reason(reasons.TLS_CERTIFICATE_ERROR, {"error": "ERR_CERT_DATE_INVALID"})),
        ("net::ERR_ADDRESS_UNREACHABLE", [], Reason(reasons.PAGE_NOT_LOADED, {"error": "ERR_ADDRESS_UNREACHABLE"})),
        ("", [], Reason(reasons.PAGE_NOT_LOADED_UNKNOWN)),
        ("unknown error", [], Reason(reasons.PAGE_NOT_LOADED_UNKNOWN)),
    ],
)
def test_navigation_errors_become_codes(error_text, events, reason):
    assert reasons.navigation_error(error_text, events) == reason



@pytest.mark.parametrize(
    ("error", "name"),
    [
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "ECONNREFUSED"),
        (TimeoutError("timed out"), "ETIMEDOUT"),
        (ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed certificate"),
         "CERTIFICATE_VERIFY_FAILED"),
        (http.client.RemoteDisconnected("Remote end closed connection without response"), "BAD_RESPONSE"),
        (OSError("something the OS said"), "NETWORK_ERROR"),
    ],
)
def test_a_failed_download_is_named_never_worded(error, name):
    assert fetch.error_name(error) == name


def test_a_download_that_cannot_connect_reports_the_errors_name():
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    with pytest.raises(fetch.FetchError) as refused:
        fetch.fetch(f"http://127.0.0.1:{port}/x.pdf", port, 1000, time.monotonic() + 5)
    assert refused.value.reason == Reason(reasons.FETCH_FAILED, {"url": f"http://127.0.0.1:{port}/x.pdf",
                                                                 "error": "ECONNREFUSED"})
