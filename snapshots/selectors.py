"""Read paths. Each is scoped to an owner (or, in sharing, to a share) and fetches in constant queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from snapshots.models import Link, Snapshot


def latest_snapshots_prefetch() -> Prefetch:
    """All snapshots of each link, newest first, in one extra query for the whole page."""
    return Prefetch(
        "snapshots", queryset=Snapshot.objects.defer("text", "description").order_by("-created", "-id")
    )


def link_list(*, owner: User, tag: str | None = None, query: str | None = None) -> QuerySet[Link]:
    links = Link.objects.filter(owner=owner)
    if tag:
        links = links.filter(tags__name__iexact=tag)
    if query:
        from snapshots.search import apply_search

        links = apply_search(links, query)
    return links.prefetch_related("tags", latest_snapshots_prefetch())
