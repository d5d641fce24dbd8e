"""Highlighted excerpts for a page of search results, cut in the database and marked in Python.

Only a window around the first match leaves the database (one query for the whole page), and
the highlighting escapes every piece before wrapping matches in <mark>, so page text can
never inject markup. `ts_headline` is avoided on purpose: it re-parses whole documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Value
from django.db.models.functions import Coalesce, Greatest, StrIndex, Substr, Upper
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from snapshots.models import SearchDocument
from snapshots.search.folding import fold
from snapshots.search.query import parse_query

BEFORE = 60
WIDTH = 220


# Punctuation that the indexed text holds as ASCII (NFKC makes ：，（） into :,()) and Chinese
# text writes full width: shown full width again where it stands beside Chinese characters.
_FULL_WIDTH = {ord(c): chr(ord(c) + 0xFEE0) for c in ",:;!?()"}
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff5e]")


def as_written(text: str) -> str:
    """`text` with ASCII punctuation beside CJK characters made full width, one character for one
    (so offsets found in `text` point at the same characters): 标题:报告,全文 → 标题：报告，全文.

    The indexed text keeps no copy of the page's own punctuation (that would double what a
    Chinese page stores), so this is a reading of it: ASCII punctuation inside Chinese text is
    rare, and numbers and Latin words keep theirs."""
    chars = list(text)
    for i, char in enumerate(chars):
        if ord(char) not in _FULL_WIDTH:
            continue
        before = chars[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if _CJK.match(before) or _CJK.match(after):
            chars[i] = _FULL_WIDTH[ord(char)]
    return "".join(chars)


def highlight(text: str, needles: Iterable[str]) -> SafeString:
    """Escape `text` and wrap case-insensitive occurrences of the (folded) needles in <mark>.

    The needles are looked for in the folded text, and the characters at the same places of
    the text as shown (`as_written`) are marked: a search for 报告 marks 報告 where the page says so.
    """
    shown = as_written(text)
    words = sorted({n for n in needles if n}, key=len, reverse=True)
    if not words:
        return escape(shown)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    pieces, end = [], 0
    for match in pattern.finditer(fold(text)):  # same length as `text`: folding is 1:1
        pieces.append(escape(shown[end : match.start()]))
        pieces.append(f"<mark>{escape(shown[match.start() : match.end()])}</mark>")
        end = match.end()
    pieces.append(escape(shown[end:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped first


def excerpts_for(link_ids: list[int], query: str) -> dict[int, SafeString]:
    """link id → a short highlighted piece of page text (or notes) around the first match."""
    parsed = parse_query(query)
    needles = [term.text for term in parsed.include]
    if not link_ids or not needles:
        return {}
    first = needles[0].upper()
    # Upper-casing every result's whole page text was most of this query's time; a needle
    # without letter case (Chinese, digits) is found as it is.
    cased = first != needles[0].lower()
    body, meta = (Upper("body"), Upper("meta")) if cased else ("body", "meta")
    # The match is found in the folded text; the window is cut at the same place of the text
    # as written (kept only where folding changed it).
    rows = (
        SearchDocument.objects.filter(pk__in=link_ids)
        .annotate(body_at=StrIndex(body, Value(first)), meta_at=StrIndex(meta, Value(first)))
        .annotate(
            body_window=Substr(
                Coalesce("body_original", "body"), Greatest("body_at", Value(BEFORE + 1)) - BEFORE, WIDTH
            ),
            meta_window=Substr(
                Coalesce("meta_original", "meta"), Greatest("meta_at", Value(BEFORE + 1)) - BEFORE, WIDTH
            ),
        )
        .values_list("pk", "body_at", "meta_at", "body_window", "meta_window")
    )
    result: dict[int, SafeString] = {}
    for pk, body_at, meta_at, body_window, meta_window in rows:
        window, at = (body_window, body_at) if body_at or not meta_at else (meta_window, meta_at)
        if not window:
            continue
        prefix = "…" if at and at > BEFORE + 1 else ""
        result[pk] = highlight(prefix + window + "…", needles)
    return result
