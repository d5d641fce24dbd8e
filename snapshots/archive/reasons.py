"""Capture errors and notes in the reader's language.

The engine records short English reasons ("timed out after 45 s") because they are part of the
API and of logs; the pages translate them when they are shown. A reason this table does not
know is shown as it is.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

_FIXED = {
    "address not allowed": _("address not allowed"),
    "too many redirects": _("too many redirects"),
    "could not resolve the host name": _("could not resolve the host name"),
    "connection refused": _("connection refused"),
    "connection reset by the server": _("connection reset by the server"),
    "connection timed out": _("connection timed out"),
    "the server sent no response": _("the server sent no response"),
    "the server sent an invalid response": _("the server sent an invalid response"),
    "port not allowed": _("port not allowed"),
    "page still loading at the deadline": _("page still loading at the deadline"),
    "some images had not loaded": _("some images had not loaded"),
    "could not render a preview of the file": _("could not render a preview of the file"),
    "only http and https links can be captured": _("only http and https links can be captured"),
    "capture failed": _("capture failed"),
    "deadline reached": _("deadline reached"),
}
_PATTERNS = [
    (re.compile(r"timed out after (?P<n>[\d.]+) s"), _("timed out after %(n)s s")),
    (re.compile(r"timed out after (?P<n>\d+) attempts"), _("timed out after %(n)s attempts")),
    (re.compile(r"gave up after (?P<n>\d+) attempts"), _("gave up after %(n)s attempts")),
    (re.compile(r"screenshot cut at (?P<px>[\d,]+) px"), _("screenshot cut at %(px)s px")),
    (re.compile(r"could not resolve host (?P<host>.+)"), _("could not resolve host %(host)s")),
    (re.compile(r"could not connect to (?P<host>.+)"), _("could not connect to %(host)s")),
    (re.compile(r"page could not be loaded \((?P<code>.+)\)"), _("page could not be loaded (%(code)s)")),
    (re.compile(r"deadline reached; missing: (?P<what>.+)"), _("deadline reached; missing: %(what)s")),
    (
        re.compile(r"blocked (?P<n>\d+) request\(s\) to addresses that are not allowed"),
        _("blocked %(n)s requests to addresses that are not allowed"),
    ),
    (
        re.compile(r"download limit of (?P<mb>\d+) MB reached; the page may be incomplete"),
        _("download limit of %(mb)s MB reached; the page may be incomplete"),
    ),
    (
        re.compile(r"the link is a download \((?P<type>.+)\), not a page"),
        _("the link is a download (%(type)s), not a page"),
    ),
    (re.compile(r"browser failed: (?P<e>.+)"), _("browser failed: %(e)s")),
]


def translate_reason(reason: str) -> str:
    """A stored error or notes (one a line) in the active language, joined for one line of text."""
    return "; ".join(_translate_one(part.strip()) for part in reason.splitlines() if part.strip())


def _translate_one(part: str) -> str:
    if part in _FIXED:
        return str(_FIXED[part])
    for pattern, template in _PATTERNS:
        match = pattern.fullmatch(part)
        if match:
            return str(template) % match.groupdict()
    return part
