"""Facts of a user's link list that cost too much to compute on every view: the tag bar and the total.

At 100,000 links counting tags joins every link of the user (~100 ms) and counting the links
for the paginator takes ~8 ms, which the list page cannot pay each time. Both are cached per
user in the database cache (Redis may be down), read together in one query, and forgotten
through `snapshots.search.changes.link_changed`, which every write path to links calls; the TTL
bounds staleness from a write that goes around it. A write made of many committed batches (an
import) has them recomputed by the writer instead, now and then (`changes.BulkWrite`), so the
list page keeps reading them from the cache while it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

from django.core.cache import cache
from django.db import OperationalError, connection
from django.db.models import Count, QuerySet
from taggit.models import Tag

from snapshots.models import Link

log = logging.getLogger(__name__)

TTL = 300
TAG_BAR_SIZE = 50


def _keys(owner_id: int) -> tuple[str, str]:
    return f"tagbar:{owner_id}", f"linktotal:{owner_id}"


@dataclass(frozen=True)
class ListFacts:
    """The owner's most used tags (alphabetical) and link total, read in one cache query."""

    tags: list[dict[str, object]]  # {"id", "name", "count", "param": the name URL-encoded for ?tag=}
    total: int

    def tag_named(self, name: str) -> dict[str, object] | None:
        """The tag bar's entry for `name` (any case), if it is one of the most used tags."""
        folded = name.casefold()
        return next((t for t in self.tags if str(t["name"]).casefold() == folded), None)


def tag_counts(*, owner_id: int) -> QuerySet[Tag]:
    """Tags on the owner's links with counts (the user's own view of a site-wide tag table)."""
    return (
        Tag.objects.filter(snapshots_taggedlink_items__content_object__owner_id=owner_id)
        .annotate(count=Count("snapshots_taggedlink_items"))
        .order_by("name")
    )


def _tag_bar(owner_id: int) -> list[dict[str, object]]:
    top = tag_counts(owner_id=owner_id).order_by("-count", "name")[:TAG_BAR_SIZE]
    bar = [{"id": t.pk, "name": t.name, "count": t.count, "param": quote(t.name, safe="")} for t in top]
    return sorted(bar, key=lambda t: t["name"])


def _total(owner_id: int) -> int:
    return Link.objects.filter(owner_id=owner_id).count()


@contextmanager
def _no_wait_for_the_write_lock() -> Iterator[None]:
    """On SQLite, give up at once instead of waiting out the busy timeout for the one write lock."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (waited,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(waited)}")


def _remember(values: dict[str, object]) -> None:
    """Cache facts a page computed, if the database takes the write now. On SQLite an import or
    a big merge may hold the one write lock for a while: the page serves what it computed rather
    than wait to save the next page some work."""
    try:
        with _no_wait_for_the_write_lock():
            cache.set_many(values, TTL)
    except OperationalError as exc:
        log.info("list facts not cached this time: %s", exc)


def list_facts(*, owner_id: int) -> ListFacts:
    bar_key, total_key = _keys(owner_id)
    cached = cache.get_many([bar_key, total_key])
    missing = {}
    if bar_key not in cached:
        cached[bar_key] = missing[bar_key] = _tag_bar(owner_id)
    if total_key not in cached:
        cached[total_key] = missing[total_key] = _total(owner_id)
    if missing:
        _remember(missing)
    return ListFacts(tags=cached[bar_key], total=cached[total_key])


def refresh(owner_id: int, *, ttl: int) -> None:
    """Recompute both facts now and cache them for `ttl` seconds (the writer pays, not a page)."""
    bar_key, total_key = _keys(owner_id)
    cache.set_many({bar_key: _tag_bar(owner_id), total_key: _total(owner_id)}, ttl)


def forget(owner_id: int) -> None:
    cache.delete_many(_keys(owner_id))
