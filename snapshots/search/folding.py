"""Traditional → Simplified folding, one character to one character, so 報告 and 报告 search alike.

The table is OpenCC's own (the `opencc` package, its `t2s` conversion) asked one character at a
time: phrase-level conversion would sometimes turn one character into two or two into one,
and then the offsets of a folded text would no longer point at the same characters in the
text as written. Because every character maps to exactly one character, `fold(text)` has the
length of `text`, and a match found at some offset of the folded text is at the same offset
of the original: excerpts find their window in the folded body and show the original's.

Where OpenCC keeps a character as it is in isolation (著, 乾), it is left alone: a character
it folds only inside certain phrases is searched as written.
"""

from __future__ import annotations

import re
from functools import cache

import opencc

# Every code point that OpenCC may convert: the Han blocks (CJK_RANGES in `indexing` less kana
# and Hangul, which have no Traditional forms).
_HAN_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))


@cache
def _table() -> dict[str, str]:
    """Traditional character → Simplified character, built once per process (about 40 ms)."""
    chars = [chr(code) for first, last in _HAN_BLOCKS for code in range(first, last + 1)]
    # One conversion of every character on its own line: no phrase can span a line break.
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    table = {char: out for char, out in zip(chars, converted, strict=True) if len(out) == 1 and out != char}
    # A few targets are themselves converted (薴 → 苧 → …): follow them to the end, so folding
    # is idempotent and folding a folded query changes nothing.
    for char, out in table.items():
        seen = {char}
        while out in table and out not in seen:
            seen.add(out)
            out = table[out]
        table[char] = out
    return table


@cache
def _ordinals() -> dict[int, int]:
    return {ord(char): ord(out) for char, out in _table().items()}


@cache
def _pattern() -> re.Pattern[str]:
    """Runs of characters that may fold. The Basic Multilingual Plane's are listed one by one
    (a class `re` tests with a bitmap, about 1 ms per 300,000 characters); the Han extension
    planes are given whole as a range, since listing a character beyond the BMP would have
    `re` compare each character of the text with every listed one, hundreds of times slower."""
    listed = "".join(sorted(char for char in _table() if ord(char) < 0x10000))
    return re.compile(f"[{listed}\U00020000-\U0003134F]+")


@cache
def _variants() -> dict[str, str]:
    """Simplified character → itself and every character that folds to it (报 → 报報)."""
    variants: dict[str, str] = {}
    for char, out in sorted(_table().items()):
        variants[out] = variants.get(out, out) + char
    return variants


def fold(text: str) -> str:
    """`text` with its Traditional characters in their Simplified form; same length, same offsets."""
    if not text or text.isascii():
        return text
    ordinals = _ordinals()
    return _pattern().sub(lambda run: run.group().translate(ordinals), text)


def variants(char: str) -> str:
    """Every character that folds to the same character as `char`, itself included."""
    folded = fold(char)
    return _variants().get(folded, folded)


def load_tables() -> int:
    """Build the folding tables now (they are built on first use otherwise, which costs a search
    a few hundred milliseconds); returns how many characters fold."""
    _pattern()
    _variants()
    return len(_ordinals())
