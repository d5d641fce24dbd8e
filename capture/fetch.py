"""Python-side downloads through the capture's own proxy (originals of PDF/image URLs, favicons).

http.client is used directly instead of urllib because urllib honours `no_proxy`, which on many
hosts lists 127.0.0.1 and would send a request around the proxy and its address rules.
"""

from __future__ import annotations

import errno
import http.client
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from capture import reasons
from capture.reasons import Reason

MAX_REDIRECTS = 10
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) linkhome"


class FetchError(Exception):
    """The download failed, was refused by the proxy, or broke a limit: `reason` says which."""

    def __init__(self, reason: Reason):
        super().__init__(f"{reason.code} {reason.params}")
        self.reason = reason


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str
    data: bytes


def error_name(exc: Exception) -> str:
    """A short fixed name for a network error (ECONNREFUSED, ETIMEDOUT, ...), never its free text."""
    if isinstance(exc, TimeoutError):
        return "ETIMEDOUT"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "CERTIFICATE_VERIFY_FAILED"
    if isinstance(exc, ssl.SSLError):
        return "TLS_ERROR"
    if isinstance(exc, OSError) and exc.errno in errno.errorcode:
        return errno.errorcode[exc.errno]
    if isinstance(exc, http.client.HTTPException | ConnectionError):
        return "BAD_RESPONSE"
    return "NETWORK_ERROR"


# One TLS context for every fetch: building one re-reads the system CA store.
_TLS = ssl.create_default_context()


def _request(url: str, proxy_port: int, timeout: float) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", proxy_port, timeout=timeout, context=_TLS
        )
        connection.set_tunnel(parts.hostname or "", parts.port or 443)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
    elif parts.scheme == "http":
        connection = http.client.HTTPConnection("127.0.0.1", proxy_port, timeout=timeout)
        target = url.split("#", 1)[0]
    else:
        raise FetchError(Reason(reasons.FETCH_UNSUPPORTED_SCHEME, {"scheme": parts.scheme}))
    connection.request("GET", target, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    return connection.getresponse()


def fetch(url: str, proxy_port: int, max_bytes: int, deadline: float) -> Fetched:
    """GET `url` through the proxy, following redirects, within `deadline` (monotonic)."""
    for _hop in range(MAX_REDIRECTS + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(Reason(reasons.FETCH_OUT_OF_TIME))
        try:
            response = _request(url, proxy_port, remaining)
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(Reason(reasons.FETCH_FAILED, {"url": url, "error": error_name(exc)})) from exc
        try:
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            data = response.read(max_bytes + 1)
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(Reason(reasons.FETCH_FAILED, {"url": url, "error": error_name(exc)})) from exc
        finally:
            response.close()
        if len(data) > max_bytes:
            raise FetchError(Reason(reasons.FETCH_TOO_LARGE, {"url": url, "bytes": max_bytes}))
        content_type = (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
        return Fetched(url, response.status, content_type, data)
    raise FetchError(Reason(reasons.TOO_MANY_REDIRECTS))
