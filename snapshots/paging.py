"""Numbered pages that do not count every result: newer/older navigation for search and shares."""

from __future__ import annotations


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
