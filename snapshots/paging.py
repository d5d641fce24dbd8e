"""Pages of links: numbered pages that do not count every result (search and shares), and the
positions API cursors hold, which make a deep page cost what the first one costs."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q


class UncountedPage:
    """The part of a Paginator page `_pagination.html` uses, from one fetch of `size + 1` rows.

    Counting every search match, or a large share's links (30 ms for 7,500: each is checked
    against its owner and moderation), costs more than showing a page.
    """

    def __init__(self, results, number: str | int | None, size: int):
        try:
            self.number = max(int(number or 1), 1)
        except ValueError:
            self.number = 1
        self.start = (self.number - 1) * size
        fetched = list(results[self.start : self.start + size + 1])
        self.object_list = fetched[:size]
        self._more = len(fetched) > size
        self.paginator = None

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self._more

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


_BIGINT_MAX = 2**63 - 1


@dataclass(frozen=True)
class Position:
    """Where a page of links ended, in their order (search class, then newest first).

    An API cursor is this, encoded: the next page starts right after the position through the
    (owner, created, id) index instead of skipping `offset` rows. `offset` (the links before
    the position) is carried only to tell a search's total on its last page and to link back
    by page number.
    """

    search_class: int
    created: datetime
    pk: int
    offset: int

    def encode(self) -> str:
        raw = json.dumps([self.search_class, self.created.isoformat(), self.pk, self.offset], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Position:
        """The position a cursor holds; ValueError for anything that is not one we made."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            search_class, created, pk, offset = json.loads(raw)
            position = cls(search_class, datetime.fromisoformat(created), pk, offset)
        except (binascii.Error, UnicodeDecodeError, TypeError, ValueError) as exc:
            raise ValueError("not a cursor") from exc
        valid = (
            all(type(n) is int and 0 <= n <= _BIGINT_MAX for n in (search_class, pk, offset))
            and search_class in (0, 1)
            and position.created.tzinfo is not None
        )
        if not valid:
            raise ValueError("not a cursor")
        return position

    @property
    def older(self) -> Q:
        """Links after this position within its class, as a range the index can start from:
        `created <= c` bounds the index scan, the rest breaks ties of the same time by id."""
        return Q(created__lte=self.created) & (Q(created__lt=self.created) | Q(pk__lt=self.pk))
