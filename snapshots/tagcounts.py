"""The tag bar of the link list: the user's most used tags, cached.

Counting tags joins every link of the user; at 100,000 links that is ~100 ms, which the list page
cannot pay on every view. The counts are cached per user in the database cache and forgotten by
every write path that changes a user's tags; the TTL bounds staleness from any path that forgets.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, QuerySet
from taggit.models import Tag

TAG_BAR_TTL = 300


def tag_counts(*, owner_id: int) -> QuerySet[Tag]:
    """Tags on the owner's links with counts (the user's own view of a site-wide tag table)."""
    return (
        Tag.objects.filter(snapshots_taggedlink_items__content_object__owner_id=owner_id)
        .annotate(count=Count("snapshots_taggedlink_items"))
        .order_by("name")
    )


def _key(owner_id: int) -> str:
    return f"tagbar:{owner_id}"


def tag_bar(*, owner_id: int, limit: int = 50) -> list[dict[str, object]]:
    """The owner's `limit` most used tags as [{"name", "count"}], alphabetical."""
    cached = cache.get(_key(owner_id))
    if cached is None:
        top = tag_counts(owner_id=owner_id).order_by("-count", "name")[:limit]
        cached = sorted(({"name": t.name, "count": t.count} for t in top), key=lambda t: t["name"])
        cache.set(_key(owner_id), cached, TAG_BAR_TTL)
    return cached


def tag_bar_forget(owner_id: int) -> None:
    cache.delete(_key(owner_id))
