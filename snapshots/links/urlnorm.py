"""The one URL normaliser: forms, API and import all store URLs through `normalize_url`.

Stored form: lower-case scheme and host, IDN host as punycode, default port dropped, path/query/
fragment percent-encoded as UTF-8 (existing escapes kept), fragment kept. `display_url` turns the
stored ASCII form back into what a person reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import idna
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from capture import netguard
from snapshots.models import URL_INPUT_MAX_LENGTH, URL_MAX_LENGTH
from snapshots.textclean import clean_text

# Characters left as they are when percent-encoding: RFC 3986 reserved + unreserved + '%'.
_SAFE = "!#$%&'()*+,/:;=?@[]~-._"


# Why a URL is refused, by the code its ValidationError carries: an import stores the code with a
# skipped bookmark and its page words it in the reader's language (snapshots.transfer.skips).
URL_ERRORS: dict[str, Promise] = {
    "required": _("Enter a URL."),
    "invalid": _("Enter a valid URL."),
    "control_characters": _("The URL contains control characters."),
    "too_long": _("The URL is too long (at most %(n)s characters)."),
    "no_scheme": _("Enter a full URL starting with http:// or https://."),
    "bad_scheme": _("Only http and https links can be saved."),
    "userinfo": _("Links with a user name or password in them cannot be saved."),
    "invalid_host": _("Enter a valid URL with a host name."),
    "bad_host_name": _("The host name is not valid."),
    "address_not_allowed": _("address not allowed"),
}


def _error(code: str) -> ValidationError:
    params = {"n": f"{URL_MAX_LENGTH:,}"} if code == "too_long" else None
    return ValidationError(URL_ERRORS[code], code=code, params=params)


def url_error_text(code: str, params: Mapping[str, object] | None = None) -> str | None:
    """A refused URL's message in the active language; None for a code it does not know."""
    template = URL_ERRORS.get(code)
    if template is None:
        return None
    try:
        return str(template) % dict(params or {})
    except (KeyError, TypeError, ValueError):
        return None


def _encode_host(host: str) -> str:
    if host.startswith("["):
        return host.lower()
    try:
        host.encode("ascii")
        return host.lower().rstrip(".") or host
    except UnicodeEncodeError:
        pass
    try:
        return idna.encode(host.rstrip("."), uts46=True).decode("ascii")
    except idna.IDNAError:
        raise _error("bad_host_name") from None


def normalize_url(raw: str) -> str:
    """Return the canonical stored form of a user-supplied URL or raise ValidationError."""
    if not isinstance(raw, str):
        raise _error("invalid")
    value = raw.strip()
    if not value:
        raise _error("required")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value) or any(
        0xD800 <= ord(ch) <= 0xDFFF for ch in value
    ):
        raise _error("control_characters")
    if len(value) > URL_INPUT_MAX_LENGTH:
        raise _error("too_long")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise _error("invalid") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise _error("no_scheme")
    if scheme not in ("http", "https"):
        raise _error("bad_scheme")
    if parts.username is not None or parts.password is not None:
        raise _error("userinfo")
    hostname = parts.hostname
    if not hostname:
        raise _error("invalid_host")
    if parts.netloc.startswith("[") or ":" in hostname:
        host = f"[{hostname.lower()}]"
    else:
        host = _encode_host(hostname)
    netloc = host if port is None or port == netguard.DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = quote(parts.path or "/", safe=_SAFE)
    query = quote(parts.query, safe=_SAFE)
    fragment = quote(parts.fragment, safe=_SAFE)
    url = urlunsplit((scheme, netloc, path, query, fragment))
    if len(url) > URL_MAX_LENGTH:
        raise _error("too_long")
    return url


def check_saveable(url: str) -> None:
    """Refuse at save time what can never be captured: a forbidden IP literal or localhost."""
    parts = urlsplit(url)
    allowed = netguard.AllowedOrigins(settings.CAPTURE_ALLOWED_ORIGINS)
    try:
        netguard.check_origin_host(parts.scheme, parts.hostname or "", parts.port, allowed)
    except netguard.AddressNotAllowed:
        raise _error("address_not_allowed") from None


def display_url(url: str) -> str:
    """The stored URL as a person reads it: Unicode host and decoded path, for text only."""
    parts = urlsplit(url)
    host = parts.netloc
    if "xn--" in host:
        name, sep, port = host.partition(":") if not host.startswith("[") else (host, "", "")
        try:
            name = idna.decode(name)
        except idna.IDNAError:
            pass
        host = f"{name}{sep}{port}"
    readable = urlunsplit(
        (
            parts.scheme,
            host,
            unquote(parts.path, errors="replace"),
            unquote(parts.query, errors="replace"),
            unquote(parts.fragment, errors="replace"),
        )
    )
    # Decoding can bring back control or bidi-override characters hidden in percent escapes.
    return clean_text(readable, multiline=False)
