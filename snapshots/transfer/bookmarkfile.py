"""Reading Netscape bookmark files (the format every browser, Pinboard and linkding export).

The format is HTML that no browser closes properly (`<DT>` and `<p>` are never closed), so
it is read with the stdlib's forgiving, incremental `html.parser` and never built into a
tree: a 100 MB file streams through in constant memory. Each `<H3>` names the folder that
the next `<DL>` opens; every folder level on the way to a link becomes one of its tags.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import BinaryIO

CHUNK = 256 * 1024
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


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.folders: list[str] = []
        self.pending_folder: str | None = None
        self.in_folder_name = False
        self.folder_text: list[str] = []
        self.current: Bookmark | None = None
        self.in_anchor = False
        self.in_description = False
        self.ready: list[Bookmark] = []

    def _finish_current(self) -> None:
        if self.current is not None:
            self.current.title = " ".join(self.current.title.split())
            self.current.description = self.current.description.strip()
            self.ready.append(self.current)
            self.current = None
        self.in_description = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a":
            self._finish_current()
            tags = [f for f in self.folders if f]
            tags += [t.strip() for t in values.get("tags", "").split(",") if t.strip()]
            self.current = Bookmark(
                line=self.getpos()[0],
                url=values.get("href", "").strip(),
                tags=tags,
                added=parse_timestamp(values.get("add_date")),
                unread=values.get("toread") == "1",
            )
            self.in_anchor = True
        elif tag == "h3":
            self._finish_current()
            self.in_folder_name, self.folder_text = True, []
        elif tag == "dl":
            self._finish_current()
            self.folders.append(self.pending_folder or "")
            self.pending_folder = None
        elif tag == "dd" and self.current is not None:
            self.in_description = True
        elif tag in ("dt", "h1"):
            self._finish_current()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.in_anchor = False
        elif tag == "h3":
            self.in_folder_name = False
            self.pending_folder = " ".join("".join(self.folder_text).split())
        elif tag == "dl":
            self._finish_current()
            if self.folders:
                self.folders.pop()

    def handle_data(self, data: str) -> None:
        if self.in_folder_name:
            self.folder_text.append(data)
        elif self.in_anchor and self.current is not None:
            self.current.title += data
        elif self.in_description and self.current is not None:
            self.current.description += data

    def close(self) -> None:
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
    parser = _Parser()
    chunk = head
    while chunk:
        parser.feed(decoder.decode(chunk))
        yield from parser.ready
        parser.ready.clear()
        chunk = stream.read(CHUNK)
    parser.feed(decoder.decode(b"", final=True))
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
