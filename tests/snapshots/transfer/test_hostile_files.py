"""A hostile bookmark file costs time in proportion to its size: the reader never holds more than
its caps, so no feed re-reads or copies more than a bounded amount, whatever the file holds.

No test here times anything. Each shape is fed through the real reader chunk by chunk, and
after every chunk the text the parser holds is measured against a bound computed from the
caps; the files are several times that bound long, so a parser that accumulated (the
quadratic one did) fails on the first shape.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from snapshots.models import (
    DESCRIPTION_INPUT_MAX_LENGTH,
    LINK_TAGS_MAX,
    TAG_INPUT_MAX_LENGTH,
    TAG_MAX_LENGTH,
    TITLE_INPUT_MAX_LENGTH,
    URL_INPUT_MAX_LENGTH,
)
from snapshots.transfer.bookmarkfile import (
    CHUNK,
    FOLDER_DEPTH_MAX,
    MARKUP_MAX_CHARS,
    BookmarkParser,
    CappedText,
    read_bookmarks,
)

# Everything the parser may hold at once: unfinished markup and one feed's worth of text, the
# open fields at their caps and the named folders.
HELD_MAX = (
    MARKUP_MAX_CHARS + CHUNK
    + TITLE_INPUT_MAX_LENGTH + DESCRIPTION_INPUT_MAX_LENGTH + TAG_INPUT_MAX_LENGTH
    + FOLDER_DEPTH_MAX * (TAG_INPUT_MAX_LENGTH + 1) + TAG_INPUT_MAX_LENGTH
)
BODY = HELD_MAX * 3 // 2  # characters of hostile filler in each file: more than the parser may hold
AFTER = '\n<DT><A HREF="https://example.com/after" TAGS="after">after</A>\n'


def _repeat(piece: str, length: int = BODY) -> str:
    return piece * (length // len(piece) + 1)


SHAPES = {
    "title cut by markup into pieces": ('<DL><p><DT><A HREF="https://example.com/t">', _repeat("题<b>x</b>"), "</A>"),
    "plain title": ('<DL><p><DT><A HREF="https://example.com/t">', _repeat("长"), "</A>"),
    "description cut by markup": ('<DL><p><DT><A HREF="https://example.com/d">d</A><DD>', _repeat("述<br>"), ""),
    "folder name": ("<DL><p><DT><H3>", _repeat("夹<i>x</i>"), "</H3><DL><p>"),
    "attribute that never closes": ('<DL><p><DT><A HREF="https://example.com/', _repeat("a"), "\n"),
    "comment that never closes": ("<DL><p><!--", _repeat("x <DL "), ""),
    "script": ("<DL><p><script>", _repeat("x<y;"), "</script>"),
    "tag name that never ends": ("<DL><p>", _repeat("<a"), ">"),
    "folders nested deep": ("", _repeat("<DT><H3>f</H3><DL><p>"), ""),
    "TAGS attribute": ('<DL><p><DT><A HREF="https://example.com/g" TAGS="', _repeat("t,"), '">g</A>'),
}


def _chunks(text: str) -> Iterator[str]:
    for start in range(0, len(text), CHUNK):
        yield text[start : start + CHUNK]


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_the_parser_holds_no_more_than_its_caps_and_reads_on_after_the_hostile_part(shape):
    head, body, tail = shape
    text = head + body + tail + AFTER + "</DL><p>"
    parser = BookmarkParser()
    bookmarks, most = [], 0
    for chunk in _chunks(text):
        parser.feed_text(chunk)
        most = max(most, parser.held())
        bookmarks += parser.ready
        parser.ready.clear()
    parser.close()
    bookmarks += parser.ready
    assert most <= HELD_MAX < len(body)
    for bookmark in bookmarks:
        assert len(bookmark.title) <= TITLE_INPUT_MAX_LENGTH
        assert len(bookmark.description) <= DESCRIPTION_INPUT_MAX_LENGTH
        assert len(bookmark.url) <= URL_INPUT_MAX_LENGTH + 1  # one over: the normaliser refuses it
        assert len(bookmark.tags) <= LINK_TAGS_MAX
        assert all(len(tag) <= TAG_INPUT_MAX_LENGTH for tag in bookmark.tags)
    after = bookmarks[-1]
    assert (after.url, after.title) == ("https://example.com/after", "after")
    assert "after" in after.tags
    assert after.line == text[: text.index("/after")].count("\n") + 1


def test_a_title_stops_growing_at_its_cap_without_keeping_more_pieces_than_characters():
    title = CappedText(TITLE_INPUT_MAX_LENGTH)
    for _ in range(TITLE_INPUT_MAX_LENGTH * 3):
        title.add("题")
        title.add("")
    assert title.length == len(title.value()) == TITLE_INPUT_MAX_LENGTH
    assert len(title.pieces) == TITLE_INPUT_MAX_LENGTH


def test_deep_folders_name_tags_down_to_the_cap_and_close_again():
    depth = FOLDER_DEPTH_MAX + 50
    opening = "".join(f"<DT><H3>f{n}</H3><DL><p>" for n in range(depth))
    data = (
        f'<DL><p>{opening}<DT><A HREF="https://example.com/deep">deep</A>'
        + "</DL><p>" * depth
        + '<DT><A HREF="https://example.com/top">top</A></DL><p>'
    ).encode()
    deep, top = read_bookmarks(io.BytesIO(data))
    assert deep.tags == [f"f{n}" for n in range(FOLDER_DEPTH_MAX - 1)]  # the outer <DL> is unnamed
    assert top.tags == []


def test_long_tag_names_are_cut_like_the_import_cuts_them():
    long_name = "标" * (TAG_MAX_LENGTH * 3)
    data = f'<DL><p><DT><A HREF="https://example.com/" TAGS="{long_name},短">x</A></DL>'.encode()
    (bookmark,) = read_bookmarks(io.BytesIO(data))
    assert bookmark.tags == ["标" * TAG_MAX_LENGTH, "短"]
