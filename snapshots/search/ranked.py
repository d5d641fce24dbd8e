"""Ranked search results, title/tag matches first, each class newest first; sliceable and countable.

Each class is fetched as its own `ORDER BY created DESC LIMIT n` query. Two plans answer that,
and which one is fast depends on how many links match: walking the newest links and testing
each until the page is full (a common word), or taking the matches from a GIN index and
sorting them (a rare one). PostgreSQL's choice between them goes badly wrong in two ways:

- it multiplies the frequencies of a CJK term's character pairs as if they were independent,
  expects a few dozen titles with 政务公开 where there are thousands, and sorts all of them;
- for the second class (found in the document but not in the title and tags) it multiplies
  "in the document" by "not in the title" although every title match is a document match:
  for a word found only in titles the class is empty, yet it expects hundreds of matches and
  walks every link of the account to find none (800 ms to 8 s at 100,000 links), and right
  after an import of bookmarks, whose titles hold words no page text has, it did that for
  both classes.

So neither plan is left to the planner's guess. Each class is first tested on the newest
links only, WINDOW links plus a few per result asked for, with a test no index covers: a walk
that stops at the window's edge, and sooner when the page is full, as it is whenever matches
are common. Only when the window holds too few does the class go to the index, and then with
PostgreSQL kept to the index's matches (`_through_index`): a cost that grows with the matches
(and a cheap read of the account's link ids), never with a walk of every link's page text.
Counts read the index the same way and stop at COUNT_CAP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from snapshots.models import Link
from snapshots.paging import Position

_PLAN_SETTINGS = ("enable_seqscan", "enable_indexscan", "enable_nestloop", "jit")
_INDEX_MATCHES_ONLY = "".join(f"SET LOCAL {name} = off; " for name in _PLAN_SETTINGS)
_PLANNER_DEFAULTS = "".join(f"; RESET {name}" for name in _PLAN_SETTINGS)


def _through_index(ids: QuerySet[Link]) -> list[int]:
    """Run a query for link ids with PostgreSQL reading the search documents its GIN indexes
    match, and no others.

    With sequential scans, plain index scans and nested loops off, a search document can only
    be read through a bitmap of a GIN index's matches (its one indexable condition; no index
    holds its vectors for an index-only scan), the owner's links and taggings through their
    btree indexes, and the sides are joined by hashing: nothing tests page text row by row
    beyond the index's candidates. (The plans those settings rule out still count in the
    estimate, whose size would have PostgreSQL spend a second compiling the query: JIT is off
    too.) The statement is sent together with its settings, one round trip, and they end with it.
    """
    if connection.vendor != "postgresql":
        return list(ids)
    try:
        sql, params = ids.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_INDEX_MATCHES_ONLY + sql + _PLANNER_DEFAULTS, params)
        while cursor.description is None:  # past the SETs' empty results
            cursor.nextset()
        return [row[0] for row in cursor.fetchall()]


class _Windows:
    """The newest links a class may walk for one slice: WINDOW links from its starting point
    and a few per result it is asked for, down to the creation time of the last of them (the
    window's edge; None when there are fewer links, so the window holds every one). One query
    each, unless a window already found holds every link from the same starting point.

    The edge is then a constant in the walk's query: PostgreSQL, which cannot know the value
    of a subquery when it plans, guessed a third of the account for `created >= (subquery)`
    and read every search document instead of walking a few hundred links.
    """

    def __init__(self, base: int, per_result: int):
        self.base, self.per_result = base, per_result
        self._found: list[tuple[QuerySet[Link], int, datetime | None]] = []

    def edge(self, newest: QuerySet[Link], results: int, limit: int) -> datetime | None:
        reach = min(self.base + self.per_result * results, limit)
        for known, known_reach, edge in self._found:
            if known is newest and (known_reach == reach or edge is None):
                return edge
        found = list(newest.order_by("-created", "-id").values_list("created", flat=True)[reach - 1 : reach])
        self._found.append((newest, reach, found[0] if found else None))
        return self._found[-1][2]


@dataclass(frozen=True)
class RankClass:
    """One ranking class: as the index answers it, and as a walk of `newest` (the links, newest
    first) tests it row by row; `walked=None` for a class never walked."""

    indexed: QuerySet[Link]
    walked: QuerySet[Link] | None
    newest: QuerySet[Link]

    def after(self, position: Position) -> RankClass:
        older = position.older
        walked = self.walked.filter(older) if self.walked is not None else None
        return RankClass(self.indexed.filter(older), walked, self.newest.filter(older))


class RankedResults:
    """Search results: `titles` (class 0) then `others` (class 1), each newest first.

    Slicing fetches the ids of each class (see the module notes), then the page's links in one
    query; `count()` stops at COUNT_CAP.
    """

    COUNT_CAP = 1000
    WINDOW = 500
    WINDOW_PER_RESULT = 8
    # A deep numbered page (an API cursor never is one) would walk tens of thousands of links,
    # where the index may be cheaper. Titles: 20 results 6,000 matches down walked 48,000
    # links (370 ms), the title index answered in 130 ms. Other matches are dearer through the
    # index, which must check each candidate's page text for a Chinese term: they walk further.
    TITLE_WINDOW_LIMIT = 5_000
    OTHER_WINDOW_LIMIT = 20_000

    def __init__(self, links: QuerySet[Link], *, titles: RankClass, others: RankClass):
        self.links, self.titles, self.others = links, titles, others

    def prefetch_related(self, *lookups) -> RankedResults:
        """Like QuerySet.prefetch_related, applied to the page of links a slice fetches."""
        return RankedResults(self.links.prefetch_related(*lookups), titles=self.titles, others=self.others)

    def after(self, position: Position) -> RankedResults:
        """The results that follow `position` (an API cursor), sliced from 0 again: its class
        starts at the position, where a slice from an offset would first go past every result
        before it."""
        if position.search_class == 0:
            return RankedResults(self.links, titles=self.titles.after(position), others=self.others)
        nothing = RankClass(self.titles.indexed.none(), None, self.titles.newest)
        return RankedResults(self.links, titles=nothing, others=self.others.after(position))

    def _counted(self, rank: RankClass, cap: int) -> int:
        return len(_through_index(rank.indexed.order_by().values_list("pk", flat=True)[:cap]))

    def count(self) -> int:
        first = self._counted(self.titles, self.COUNT_CAP)
        if first >= self.COUNT_CAP:
            return first
        return first + self._counted(self.others, self.COUNT_CAP - first)

    def __len__(self) -> int:
        return self.count()

    def _class_ids(
        self, rank: RankClass, start: int, stop: int, windows: _Windows, limit: int
    ) -> tuple[list[int], int | None]:
        """Ids of the class's links number `start` to `stop`, from a walk of the newest links
        when they hold them all, otherwise from the index; and the class's size when the ids
        up to `stop` showed it (fewer than `stop` of them, every one found)."""
        if stop <= start:
            return [], None
        if rank.walked is not None:
            edge = windows.edge(rank.newest, stop, limit)
            walk = rank.walked if edge is None else rank.walked.filter(created__gte=edge)
            found = list(walk.order_by("-created", "-id").values_list("pk", flat=True)[:stop])
            # Every link outside the window is older than every link in it, so the window's
            # matches are the class's first ones: all that is asked for when they fill the
            # slice, or all there are when the window held every link (it has no edge).
            if edge is None:
                return found[start:], len(found) if len(found) < stop else None
            if len(found) == stop:
                return found[start:], None
        found = _through_index(rank.indexed.order_by("-created", "-id").values_list("pk", flat=True)[:stop])
        return found[start:], len(found) if len(found) < stop else None

    def __getitem__(self, key):
        if isinstance(key, int):
            return self[key : key + 1][0]
        start = key.start or 0
        stop = key.stop if key.stop is not None else start + self.COUNT_CAP
        windows = _Windows(self.WINDOW, self.WINDOW_PER_RESULT)
        firsts, titles = self._class_ids(self.titles, start, stop, windows, self.TITLE_WINDOW_LIMIT)
        rest: list[int] = []
        if len(firsts) < stop - start:
            # The title class ends before `stop`, so the ids up to there were all of it.
            before = titles if titles is not None else start + len(firsts)
            rest, _others = self._class_ids(
                self.others, max(start - before, 0), stop - before, windows, self.OTHER_WINDOW_LIMIT
            )
        by_id = {link.pk: link for link in self.links.filter(pk__in=firsts + rest)}
        for pk in firsts:
            by_id[pk].search_class = 0
        for pk in rest:
            by_id[pk].search_class = 1
        return [by_id[pk] for pk in firsts + rest if pk in by_id]

    def __iter__(self):
        return iter(self[0 : self.COUNT_CAP])


def newest_first(links: QuerySet[Link], matching: QuerySet[Link]) -> RankedResults:
    """`matching` (some of `links`, a tag's), newest first, sliced like a search class: first
    among the newest links, otherwise from the index. The planner walks the newest links for
    a tag it knows to be common, and a folder of imported bookmarks, all older than every
    other link, had it walk every one of them (0.5 s at 100,000 links) to fill a page."""
    return RankedResults(
        links,
        titles=RankClass(indexed=matching, walked=matching, newest=links),
        others=RankClass(indexed=links.none(), walked=None, newest=links),
    )
