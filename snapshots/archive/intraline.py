"""What changed inside a changed line: one character at a time in Chinese, Japanese and Korean
text (no spaces mark the words there, and a changed figure or character is what people look
for), a whole word at a time in Latin text (a half-marked word is harder to read than the word)."""

from __future__ import annotations

import difflib
import re

# A line with more pieces than this is not marked inside: comparing two such lines piece by piece
# costs time that grows with the product of their lengths.
PIECES_MAX = 4_000
# Lines alike less than this are different sentences; marking their few shared pieces is noise,
# so neither is marked inside (the row's colour says the whole line changed).
ALIKE_MIN = 0.3

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = rf"(?:(?![{_CJK}])\w)+"
# A number written with separators (8,765 or 3.14) is one word: marking 8 and 765 apart reads badly.
_PIECES = re.compile(rf"[{_CJK}]|{_WORD}(?:[.,]{_WORD})*|\s+|.", re.DOTALL)

Parts = tuple[tuple[str, bool], ...]


def pieces(text: str) -> list[str]:
    """Split a line into the units compared: each CJK character, each word (a number with its
    separators), each run of spaces, each other character (punctuation)."""
    return _PIECES.findall(text)


def _joined(items: list[tuple[str, bool]]) -> Parts:
    """Neighbouring pieces in the same state as one part, so the page has few marks."""
    merged: list[tuple[str, bool]] = []
    for text, changed in items:
        if merged and merged[-1][1] == changed:
            merged[-1] = (merged[-1][0] + text, changed)
        elif text:
            merged.append((text, changed))
    return tuple(merged)


def mark_pair(old: str, new: str) -> tuple[Parts, Parts]:
    """The two versions of a line as parts (text, changed), with only what differs marked;
    empty when the lines are too long or too unlike to mark."""
    old_pieces, new_pieces = pieces(old), pieces(new)
    if len(old_pieces) > PIECES_MAX or len(new_pieces) > PIECES_MAX:
        return (), ()
    matcher = difflib.SequenceMatcher(None, old_pieces, new_pieces, autojunk=False)
    if matcher.ratio() < ALIKE_MIN:
        return (), ()
    old_parts: list[tuple[str, bool]] = []
    new_parts: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        old_parts.append(("".join(old_pieces[i1:i2]), changed))
        new_parts.append(("".join(new_pieces[j1:j2]), changed))
    return _joined(old_parts), _joined(new_parts)
