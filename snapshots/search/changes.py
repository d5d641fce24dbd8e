"""The one call every write path makes after changing links, so search and the list page follow.

A link's search document (title, tags, URL, description, notes, newest page text) and the
owner's cached tag bar and link total are copies of link data. Writes that go around
`Model.save()` — bulk_create, queryset update() and delete() — send no signals, so a signal
handler would miss exactly the bulk paths (imports, tag renames); each write path calls
`link_changed` instead, and this module alone knows what has to follow a change: the documents,
the cached list facts, and fresh planner statistics after a large change (`dbstats`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from django.db import transaction

from snapshots.dbstats import ANALYZE_BASE_ROWS, statistics_refresh
from snapshots.models import Link, SearchDocument, TaggedLink
from snapshots.search import indexing, listcache

# The tables the list, tag filters and searches read: a large change here needs fresh statistics.
SEARCHED_TABLES = (Link, TaggedLink, SearchDocument)
# Of the search documents, only what places and counts them. The statistics of their vectors
# (1,000 entries for each GIN index) take ~30 s of a core at 100,000 links, and searches do not
# lean on them to stay bounded (`ranked`): those are left to autovacuum.
ANALYSED_FIELDS = {SearchDocument: ("link", "owner", "created")}


def link_changed(
    *,
    owner_id: int,
    link_ids: Iterable[int] = (),
    body: bool = True,
    listing: bool = True,
    created: Sequence[tuple[Link, Sequence[str]]] = (),
) -> None:
    """Refresh the search documents of the owner's changed links and forget the owner's list cache.

    Call it inside the transaction of the write: the documents are written in it (a rollback
    takes them back with the links) and the cache is forgotten once it has committed, so a
    page read in between cannot cache the old facts again.

    - `link_ids`: links whose data changed; deleted links need none (their documents go with
      them), only the cache is forgotten.
    - `body=False`: the edit cannot change page text (title, tags, notes), so each document
      keeps its stored body instead of re-reading the newest snapshot.
    - `listing=False`: the change cannot alter the owner's tag bar or link total (a finished
      capture, an edit that leaves the tags alone), so the cached list facts stay.
    - `created`: links just inserted in bulk, with their tag names. They have no page text yet,
      so their documents are built from what is in hand, without reading anything back.

    A change of many links (a tag renamed across thousands) also has the tables analysed after
    commit when autovacuum would (`dbstats`). A write in batches (an import) passes
    `listing=False` and leaves the list facts and the statistics to a `BulkWrite`.
    """
    if created:
        indexing.search_documents_create(links=created)
    ids = list(link_ids)
    if ids:
        indexing.search_document_refresh(link_ids=ids, body=body)
    if listing:
        transaction.on_commit(lambda: listcache.forget(owner_id))
        changed = len(created) + len(ids)
        if changed >= ANALYZE_BASE_ROWS:
            transaction.on_commit(
                lambda: statistics_refresh(models=SEARCHED_TABLES, rows=changed, fields=ANALYSED_FIELDS)
            )


class BulkWrite:
    """What follows a write of one owner's links committed in many batches (an import).

    Forgetting the list facts after every batch made nearly every list view during an import
    recount the owner's tags (216 ms instead of ~60 ms at 100,000 links). Instead each batch
    calls `link_changed(..., listing=False)` and then `batch_committed`, which has the writer
    recompute the facts at most every REFRESH_SECONDS; the list page keeps reading them from
    the cache, at most that old. They are cached for a few of those periods only (FACTS_TTL), so
    a writer that dies leaves them stale for a minute at most, not the cache's usual five.
    `finished` forgets them once, as every other write does, so they are exact after the import.
    The planner statistics follow the same pace: analysed when due on a refresh and at the end.
    """

    REFRESH_SECONDS = 10
    FACTS_TTL = 60

    def __init__(self, *, owner_id: int):
        self.owner_id = owner_id
        self.unanalysed = 0  # rows written since the tables were last analysed
        self.refreshed = time.monotonic()

    def batch_committed(self, *, rows: int) -> None:
        """Call after each batch's transaction has committed, with the number of links it wrote."""
        self.unanalysed += rows
        if time.monotonic() - self.refreshed < self.REFRESH_SECONDS:
            return
        listcache.refresh(self.owner_id, ttl=self.FACTS_TTL)
        self._analyse()
        self.refreshed = time.monotonic()

    def finished(self) -> None:
        """Call once the write has ended (done, failed or stopped) and committed its last batch."""
        listcache.forget(self.owner_id)
        self._analyse()

    def _analyse(self) -> None:
        if statistics_refresh(models=SEARCHED_TABLES, rows=self.unanalysed, fields=ANALYSED_FIELDS):
            self.unanalysed = 0
