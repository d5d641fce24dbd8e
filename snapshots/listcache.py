"""Facts of a user's link list that cost too much to compute on every view: the tag bar and the total.

At 100,000 links counting tags joins every link of the user (~100 ms) and counting the links
for the paginator takes ~8 ms, which the list page cannot pay each time. Both are cached per
user in the database cache (Redis may be down) and forgotten by every write path that adds,
deletes or retags links; the TTL bounds staleness from a path that forgets to.
"""

from __future__ import annotations

from django.core.cache import cache

from snapshots.models import Link
from snapshots.selectors import tag_counts

TTL = 300


def _keys(owner_id: int) -> tuple[str, str]:
    return f"tagbar:{owner_id}", f"linktotal:{owner_id}"


def tag_bar(*, owner_id: int, limit: int = 50) -> list[dict[str, object]]:
    """The owner's `limit` most used tags as [{"name", "count"}], alphabetical."""
    key = _keys(owner_id)[0]
    cached = cache.get(key)
    if cached is None:
        top = tag_counts(owner_id=owner_id).order_by("-count", "name")[:limit]
        cached = sorted(({"name": t.name, "count": t.count} for t in top), key=lambda t: t["name"])
        cache.set(key, cached, TTL)
    return cached


def tag_total(*, owner_id: int, name: str) -> int | None:
    """How many of the owner's links carry tag `name`, if it is one of the tag bar's tags."""
    folded = name.casefold()
    return next((t["count"] for t in tag_bar(owner_id=owner_id) if str(t["name"]).casefold() == folded), None)


def link_total(*, owner_id: int) -> int:
    """How many links the owner has (the unfiltered list's paginator count)."""
    key = _keys(owner_id)[1]
    cached = cache.get(key)
    if cached is None:
        cached = Link.objects.filter(owner_id=owner_id).count()
        cache.set(key, cached, TTL)
    return cached


def forget(owner_id: int) -> None:
    cache.delete_many(_keys(owner_id))
