"""Why a capture failed, and what to know about one that succeeded, as codes with parameters.

The engine never words a reason: callers store the code and show it in their reader's language.
Parameters carry the details a message needs (a host, a number of seconds), already formatted
the way the message prints them ("15,000" px), so every caller words a reason alike.

Chromium only says "the tunnel failed" or "empty response" when the proxy refuses; the proxy's
own record says why (address not allowed, name did not resolve, nothing listening).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from capture.proxy_scope import ProxyEvent


@dataclass(frozen=True)
class Reason:
    code: str  # one of ALL
    params: dict[str, str | int] = field(default_factory=dict)


# The link is refused before the browser is used.
INVALID_URL = "invalid_url"
SCHEME_NOT_ALLOWED = "scheme_not_allowed"
NO_HOST = "no_host"
CREDENTIALS_IN_URL = "credentials_in_url"
ADDRESS_NOT_ALLOWED = "address_not_allowed"
# The capture ran out of time: {"seconds": "45"}.
TIMED_OUT = "timed_out"
# The page did not load.
TOO_MANY_REDIRECTS = "too_many_redirects"
NAME_NOT_RESOLVED = "name_not_resolved"
CONNECTION_REFUSED = "connection_refused"
CONNECTION_RESET = "connection_reset"
CONNECTION_TIMED_OUT = "connection_timed_out"
EMPTY_RESPONSE = "empty_response"
INVALID_RESPONSE = "invalid_response"
PORT_NOT_ALLOWED = "port_not_allowed"
TLS_HANDSHAKE_FAILED = "tls_handshake_failed"
HOST_NOT_RESOLVED = "host_not_resolved"  # {"host"}
HOST_UNREACHABLE = "host_unreachable"  # {"host", "port"}
TLS_CERTIFICATE_ERROR = "tls_certificate_error"  # {"error": Chromium's ERR_CERT_… name}
PAGE_NOT_LOADED = "page_not_loaded"  # {"error": Chromium's ERR_… name}
PAGE_NOT_LOADED_UNKNOWN = "page_not_loaded_unknown"  # Chromium named no error
# The page itself stopped the capture; the browser was fine (and is replaced before the next one).
PAGE_UNRESPONSIVE = "page_unresponsive"  # its scripts kept it too busy to answer
PAGE_INTERFERED = "page_interfered"  # its scripts broke the capture's own
PAGE_NEVER_SETTLED = "page_never_settled"  # it kept navigating to new documents
# The link is a file, not a page, and not one the engine keeps (PDF and images are kept).
DOWNLOAD_NOT_PAGE = "download_not_page"  # {"content_type"}
DOWNLOAD_NOT_PAGE_UNKNOWN = "download_not_page_unknown"  # the server named no type
# Downloading a PDF or image link itself failed.
FETCH_OUT_OF_TIME = "fetch_out_of_time"
FETCH_FAILED = "fetch_failed"  # {"url", "error": the network error's name, such as ECONNREFUSED}
FETCH_TOO_LARGE = "fetch_too_large"  # {"url", "bytes"}
FETCH_UNSUPPORTED_SCHEME = "fetch_unsupported_scheme"  # {"scheme"}: a redirect left http(s)
# A page the reader uploaded holds no HTML document to render.
UPLOAD_UNREADABLE = "upload_unreadable"
# Notes on a capture that succeeded.
SCREENSHOT_CUT = "screenshot_cut"  # {"px": "15,000"}
REQUESTS_BLOCKED = "requests_blocked"  # {"count"}
DOWNLOAD_LIMIT_REACHED = "download_limit_reached"  # {"mb"}
STILL_LOADING = "still_loading"
IMAGES_NOT_LOADED = "images_not_loaded"
PREVIEW_FAILED = "preview_failed"
DEADLINE_REACHED = "deadline_reached"
DEADLINE_REACHED_MISSING = "deadline_reached_missing"  # {"missing": "html, pdf"}
# What was hidden before the screenshot (capture.overlays); never clicked, so nothing was consented to.
CONSENT_HIDDEN = "consent_hidden"  # {"cmp": "Onetrust, Cybotcookiebot"}: names of the consent rules
COOKIE_NOTICE_HIDDEN = "cookie_notice_hidden"  # {"count"}
DIALOG_HIDDEN = "dialog_hidden"  # {"count"}: backdrops, login walls
APP_BAR_HIDDEN = "app_bar_hidden"  # {"count"}: "open in app" and login bars
SCROLL_LOCK_REMOVED = "scroll_lock_removed"
OFFLINE_COPY_TRIMMED = "offline_copy_trimmed"  # {"count": resources left out, "mb": the copy's budget}

ALL = (
    INVALID_URL, SCHEME_NOT_ALLOWED, NO_HOST, CREDENTIALS_IN_URL, ADDRESS_NOT_ALLOWED, TIMED_OUT,
    PAGE_UNRESPONSIVE, PAGE_INTERFERED, PAGE_NEVER_SETTLED,
    TOO_MANY_REDIRECTS, NAME_NOT_RESOLVED, CONNECTION_REFUSED, CONNECTION_RESET, CONNECTION_TIMED_OUT,
    EMPTY_RESPONSE, INVALID_RESPONSE, PORT_NOT_ALLOWED, TLS_HANDSHAKE_FAILED, HOST_NOT_RESOLVED,
    HOST_UNREACHABLE, TLS_CERTIFICATE_ERROR, PAGE_NOT_LOADED, PAGE_NOT_LOADED_UNKNOWN,
    DOWNLOAD_NOT_PAGE, DOWNLOAD_NOT_PAGE_UNKNOWN, FETCH_OUT_OF_TIME, FETCH_FAILED, FETCH_TOO_LARGE,
    FETCH_UNSUPPORTED_SCHEME, SCREENSHOT_CUT, REQUESTS_BLOCKED, DOWNLOAD_LIMIT_REACHED, STILL_LOADING,
    IMAGES_NOT_LOADED, PREVIEW_FAILED, DEADLINE_REACHED, DEADLINE_REACHED_MISSING, UPLOAD_UNREADABLE,
    CONSENT_HIDDEN, COOKIE_NOTICE_HIDDEN, DIALOG_HIDDEN, APP_BAR_HIDDEN, SCROLL_LOCK_REMOVED,
    OFFLINE_COPY_TRIMMED,
)

_CHROMIUM_CODES = {
    "ERR_TOO_MANY_REDIRECTS": TOO_MANY_REDIRECTS,
    "ERR_NAME_NOT_RESOLVED": NAME_NOT_RESOLVED,
    "ERR_CONNECTION_REFUSED": CONNECTION_REFUSED,
    "ERR_CONNECTION_RESET": CONNECTION_RESET,
    "ERR_CONNECTION_TIMED_OUT": CONNECTION_TIMED_OUT,
    "ERR_EMPTY_RESPONSE": EMPTY_RESPONSE,
    "ERR_INVALID_RESPONSE": INVALID_RESPONSE,
    "ERR_UNSAFE_PORT": PORT_NOT_ALLOWED,
    "ERR_BLOCKED_BY_CLIENT": ADDRESS_NOT_ALLOWED,
    "ERR_SSL_PROTOCOL_ERROR": TLS_HANDSHAKE_FAILED,
}

# What page.py reports when Chromium's error page names no error.
_NO_CODE = ("unknown", "unknown error")


def navigation_error(error_text: str, events: list[ProxyEvent]) -> Reason:
    """Why the top-level document did not load."""
    code = error_text.strip().removeprefix("net::")
    through_tunnel = "TUNNEL" in code or "PROXY" in code
    relevant = [e for e in events if e.navigation or (e.navigation is None and through_tunnel)]
    if any(e.kind == "blocked" for e in relevant):
        return Reason(ADDRESS_NOT_ALLOWED)
    if code in ("ERR_TOO_MANY_REDIRECTS", "ERR_BLOCKED_BY_CLIENT"):
        return Reason(_CHROMIUM_CODES[code])
    for event in reversed(relevant):
        if event.kind == "unresolved":
            return Reason(HOST_NOT_RESOLVED, {"host": event.host})
        if event.kind == "unreachable":
            return Reason(HOST_UNREACHABLE, {"host": event.host, "port": event.port})
    if code.startswith("ERR_CERT_"):
        return Reason(TLS_CERTIFICATE_ERROR, {"error": code})
    if code in _CHROMIUM_CODES:
        return Reason(_CHROMIUM_CODES[code])
    if not code or code in _NO_CODE:
        return Reason(PAGE_NOT_LOADED_UNKNOWN)
    return Reason(PAGE_NOT_LOADED, {"error": code})
