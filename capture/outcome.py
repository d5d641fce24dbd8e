"""Short human reasons for failed captures, from Chromium's error and what the proxy saw.

Chromium only says "the tunnel failed" or "empty response" when the proxy refuses; the proxy's
own record says why (address not allowed, name did not resolve, nothing listening).
"""

from __future__ import annotations

import unicodedata

from capture.proxy_scope import ProxyEvent

ADDRESS_NOT_ALLOWED = "address not allowed"
TOO_MANY_REDIRECTS = "too many redirects"
_REGIONAL_INDICATORS = "".join(chr(c) for c in range(0x1F1E6, 0x1F200))

_CHROMIUM_REASONS = {
    "ERR_TOO_MANY_REDIRECTS": TOO_MANY_REDIRECTS,
    "ERR_NAME_NOT_RESOLVED": "could not resolve the host name",
    "ERR_CONNECTION_REFUSED": "connection refused",
    "ERR_CONNECTION_RESET": "connection reset by the server",
    "ERR_CONNECTION_TIMED_OUT": "connection timed out",
    "ERR_EMPTY_RESPONSE": "the server sent no response",
    "ERR_INVALID_RESPONSE": "the server sent an invalid response",
    "ERR_UNSAFE_PORT": "port not allowed",
    "ERR_BLOCKED_BY_CLIENT": ADDRESS_NOT_ALLOWED,
    "ERR_SSL_PROTOCOL_ERROR": "TLS handshake failed",
}


def navigation_error(error_text: str, events: list[ProxyEvent]) -> str:
    """Why the top-level document did not load."""
    code = error_text.strip().removeprefix("net::")
    through_tunnel = "TUNNEL" in code or "PROXY" in code
    relevant = [e for e in events if e.navigation or (e.navigation is None and through_tunnel)]
    if any(e.kind == "blocked" for e in relevant):
        return ADDRESS_NOT_ALLOWED
    if code in ("ERR_TOO_MANY_REDIRECTS", "ERR_BLOCKED_BY_CLIENT"):
        return _CHROMIUM_REASONS[code]
    for event in reversed(relevant):
        if event.kind == "unresolved":
            return f"could not resolve host {event.host}"
        if event.kind == "unreachable":
            return f"could not connect to {event.host}:{event.port}"
    if code.startswith("ERR_CERT_"):
        return f"TLS certificate error ({code})"
    return _CHROMIUM_REASONS.get(code) or f"page could not be loaded ({code or 'unknown error'})"


def safe_title(title: str, limit: int) -> str:
    """Whitespace-collapsed title cut to `limit` characters without leaving half a character.

    A cut can strand a zero-width joiner, a variation selector or a combining mark that
    belonged to the next (dropped) character; those are trimmed so the title ends cleanly.
    """
    clean = " ".join(title.split())
    if len(clean) <= limit:
        return clean
    cut = clean[:limit]
    while cut and (cut[-1] in "\u200d\ufe0f\ufe0e" or unicodedata.combining(cut[-1])):
        cut = cut[:-1]
    flags = len(cut) - len(cut.rstrip(_REGIONAL_INDICATORS))
    if flags % 2:  # a flag is two regional indicators; half of one shows as a stray letter
        cut = cut[:-1]
    return cut.rstrip()
