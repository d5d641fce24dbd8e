"""Cleaning of free text from users and captured pages before it is stored.

PostgreSQL rejects NUL bytes and lone surrogates outright, and bidi overrides let a title
pretend to be something else in lists; all three are removed rather than rejected so that
pasted text is never lost. HTML is not touched here: templates escape on output.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|[\ud800-\udfff]|[" + _BIDI_CONTROLS + "]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
ELLIPSIS = "…"


def clean_text(value: str | None, *, multiline: bool = True) -> str:
    if not value:
        return ""
    text = _CONTROL.sub("", value)
    if not multiline:
        text = _LINE_BREAKS.sub(" ", text)
    return unicodedata.normalize("NFC", text).strip()


def truncate(value: str, limit: int) -> str:
    """Cut to at most `limit` code points, never inside a combining sequence."""
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    while cut and unicodedata.combining(cut[-1]):
        cut = cut[:-1]
    if cut and "\ud800" <= cut[-1] <= "\udbff":
        cut = cut[:-1]
    return cut + ELLIPSIS


def clean_line(value: str | None, limit: int) -> str:
    return truncate(clean_text(value, multiline=False), limit)
