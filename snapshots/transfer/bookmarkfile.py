"""Reading Netscape bookmark files (the format every browser, Pinboard and linkding export).

The format is HTML that no browser closes properly (`<DT>` and `<p>` are never closed), so
it is read with the stdlib's forgiving, incremental `html.parser` and never built into a
tree. Each `<H3>` names the folder that the next `<DL>` opens; every folder level on the
way to a link becomes one of its tags.

Files come from anyone, so reading one takes time in proportion to its size and memory
that does not grow with it, whatever it holds (`BookmarkParser.held` is what stays bounded):
- every field stops growing at its cap; text beyond it is read and dropped. Growing a
  string piece by piece copies it each time: a 3 MB title cut by markup into small pieces
  took minutes.
- a tag, comment or declaration still open after MARKUP_MAX_CHARS is dropped: html.parser
  keeps an unfinished one and scans it again from its start on every feed, so a 50 MB
  attribute would have been scanned hundreds of times over.
- `<script>` and `<style>` are read as ordinary markup; html.parser would hold all that
  follows them until their end tag.
- folders nested deeper than FOLDER_DEPTH_MAX are counted, not named.
- outside a field, or once it is full, nothing but the tags that shape the file (links,
  folders, descriptions) matters: the text up to the next one is skipped with one regular
  expression search instead of being parsed tag by tag.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from itertools import islice
from typing import BinaryIO

from snapshots.models import (
    DESCRIPTION_INPUT_MAX_LENGTH,
    LINK_TAGS_MAX,
    TAG_INPUT_MAX_LENGTH,
    TAG_MAX_LENGTH,
    TITLE_INPUT_MAX_LENGTH,
    URL_INPUT_MAX_LENGTH,
)

CHUNK = 64 * 1024  # bytes read at a time
FEED_SLICE = 4 * 1024  # characters parsed tag by tag before checking again whether a field is filling
# An unfinished tag may grow this long before it is dropped: a link's tag with the longest
# address accepted, LINK_TAGS_MAX tags and an ICON picture inline fits many times over.
MARKUP_MAX_CHARS = 256 * 1024
FOLDER_DEPTH_MAX = LINK_TAGS_MAX  # deeper folders could not add a tag to their links anyway
# An address one character over the input limit still reads as too long to the normaliser.
URL_KEPT_CHARS = URL_INPUT_MAX_LENGTH + 1
# The tags the reader acts on, as they start; a chunk's last few characters may be the start
# of one cut short, so they are kept for the next search.
_STRUCTURE = re.compile(r"<(?:/?(?:a|dl|h3)|dd|dt|h1)[\s/>]", re.I)
STRUCTURE_TAIL = len("</dl")
_CHARSET = re.compile(rb"charset=[\"']?([A-Za-z0-9_\-]+)", re.I)
_ANCHOR = re.compile(rb"<a[\s>]", re.I)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


@dataclass
class Bookmark:
    line: int
    url: str
    title: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    added: datetime | None = None
    unread: bool = False
    keep_as_served: bool = False


def parse_timestamp(value: str | None) -> datetime | None:
    """ADD_DATE in seconds, milliseconds or microseconds; None when absent or implausible."""
    if not value:
        return None
    try:
        number = int(float(value.strip()))
    except ValueError:
        return None
    for divisor in (1, 1_000, 1_000_000):
        if number / divisor < 10**11:
            number //= divisor
            break
    try:
        moment = datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment if EARLIEST <= moment <= datetime.now(tz=UTC) else None


class CappedText:
    """Text gathered from many pieces, kept up to `cap` characters and joined once at the end."""

    __slots__ = ("cap", "length", "pieces")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.length = 0
        self.pieces: list[str] = []

    def add(self, data: str) -> None:
        room = self.cap - self.length
        if room > 0 and data:
            piece = data[:room]
            self.pieces.append(piece)
            self.length += len(piece)

    def value(self) -> str:
        return "".join(self.pieces)


def _attribute_tags(value: str) -> list[str]:
    """The first LINK_TAGS_MAX names of a TAGS attribute, each cut to what a tag may hold."""
    names = (name.strip() for name in value.split(","))
    return [name[:TAG_MAX_LENGTH] for name in islice(filter(None, names), LINK_TAGS_MAX)]


class BookmarkParser(HTMLParser):
    """Feed text with `feed_text`; finished bookmarks collect in `ready`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.folders: list[str] = []  # names of the open folders, outermost first ("" when unnamed)
        self.folders_beyond = 0  # open folders nested deeper than FOLDER_DEPTH_MAX
        self.pending_folder: str | None = None
        self.folder_name: CappedText | None = None  # inside <H3>
        self.current: Bookmark | None = None
        self.title: CappedText | None = None  # inside the current link's <A>
        self.description: CappedText | None = None  # after the current link's <DD>
        self.ready: list[Bookmark] = []

    def held(self) -> int:
        """Characters and folder levels kept between feeds: at most the caps, whatever the input."""
        texts = (self.folder_name, self.title, self.description)
        return (
            len(self.rawdata)
            + sum(text.length for text in texts if text is not None)
            + sum(len(name) + 1 for name in self.folders)
            + (len(self.pending_folder) if self.pending_folder else 0)
        )

    def feed_text(self, data: str) -> None:
        while data:
            if not self.rawdata and not self._collecting():
                data = self._skip_to_structure(data)
            # While a tag is unfinished, each feed scans it again from its start: feeding at
            # least as much as is held keeps those scans to twice its length in all.
            size = max(FEED_SLICE, len(self.rawdata))
            piece, data = data[:size], data[size:]
            self.feed(piece)
            if len(self.rawdata) > MARKUP_MAX_CHARS:
                self._drop_unfinished()

    def _collecting(self) -> bool:
        """Is a field open (the one `handle_data` would fill) with room left?"""
        for text in (self.folder_name, self.description, self.title):
            if text is not None:
                return text.length < text.cap
        return False

    def _skip_to_structure(self, data: str) -> str:
        """`data` from the next tag that shapes the file on (or its last few characters)."""
        match = _STRUCTURE.search(data)
        cut = match.start() if match else max(len(data) - STRUCTURE_TAIL, 0)
        self.rawdata = data
        self.updatepos(0, cut)  # line numbers stay right
        self.rawdata = ""
        return data[cut:]

    def _drop_unfinished(self) -> None:
        """Forget the unfinished markup the parser holds; whatever follows it reads as plain text."""
        self.updatepos(0, len(self.rawdata))  # line numbers stay right
        self.rawdata = ""
        self._finish_current()
        self.folder_name = None

    def set_cdata_mode(self, *args: object, **kwargs: object) -> None:
        """Script and style bodies are parsed like any other text (see the module notes)."""

    def _finish_current(self) -> None:
        if self.current is not None:
            if self.title is not None:
                self.current.title = " ".join(self.title.value().split())
            if self.description is not None:
                self.current.description = self.description.value().strip()
            self.ready.append(self.current)
            self.current = None
        self.title = self.description = None

    def _open_folder(self) -> None:
        if len(self.folders) < FOLDER_DEPTH_MAX:
            self.folders.append(self.pending_folder or "")
        else:
            self.folders_beyond += 1
        self.pending_folder = None

    def _close_folder(self) -> None:
        if self.folders_beyond:
            self.folders_beyond -= 1
        elif self.folders:
            self.folders.pop()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a":
            self._finish_current()
            # The link's own tags come first: they are kept when the folders take it past the cap.
            tags = _attribute_tags(values.get("tags", "")) + [name for name in self.folders if name]
            self.current = Bookmark(
                line=self.getpos()[0],
                url=values.get("href", "").strip()[:URL_KEPT_CHARS],
                tags=tags[:LINK_TAGS_MAX],
                added=parse_timestamp(values.get("add_date")),
                unread=values.get("toread") == "1",
                keep_as_served=values.get("keep_as_served") == "1",
            )
            self.title = CappedText(TITLE_INPUT_MAX_LENGTH)
        elif tag == "h3":
            self._finish_current()
            self.folder_name = CappedText(TAG_INPUT_MAX_LENGTH)
        elif tag == "dl":
            self._finish_current()
            self._open_folder()
        elif tag == "dd" and self.current is not None:
            self.description = CappedText(DESCRIPTION_INPUT_MAX_LENGTH)
        elif tag in ("dt", "h1"):
            self._finish_current()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._finish_title()
        elif tag == "h3" and self.folder_name is not None:
            self.pending_folder = " ".join(self.folder_name.value().split())
            self.folder_name = None
        elif tag == "dl":
            self._finish_current()
            self._close_folder()

    def _finish_title(self) -> None:
        """The title is complete at `</A>`; text after it belongs to no field until a `<DD>`."""
        if self.current is not None and self.title is not None:
            self.current.title = " ".join(self.title.value().split())
        self.title = None

    def handle_data(self, data: str) -> None:
        if self.folder_name is not None:
            self.folder_name.add(data)
        elif self.description is not None:
            self.description.add(data)
        elif self.title is not None:
            self.title.add(data)

    def close(self) -> None:
        if self.rawdata.startswith("<"):
            self._drop_unfinished()  # an unfinished tag at the very end holds nothing to keep
        super().close()
        self._finish_current()


def _encoding(head: bytes) -> str:
    match = _CHARSET.search(head)
    if match:
        try:
            return codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError:
            pass
    return "utf-8"


def read_bookmarks(stream: BinaryIO) -> Iterator[Bookmark]:
    """Yield bookmarks in file order while reading `stream` chunk by chunk."""
    head = stream.read(CHUNK)
    decoder = codecs.getincrementaldecoder(_encoding(head[:4096]))(errors="replace")
    parser = BookmarkParser()
    chunk = head
    while chunk:
        parser.feed_text(decoder.decode(chunk))
        yield from parser.ready
        parser.ready.clear()
        chunk = stream.read(CHUNK)
    parser.feed_text(decoder.decode(b"", final=True))
    parser.close()
    yield from parser.ready


def count_anchors(stream: BinaryIO) -> int:
    """A quick upper bound of the links in a file, for the progress bar, without parsing."""
    count, tail = 0, b""
    while chunk := stream.read(CHUNK):
        data = tail + chunk
        count += len(_ANCHOR.findall(data))
        tail = data[-2:]  # a match is 3 bytes: one cut at the boundary is counted next round
    return count
