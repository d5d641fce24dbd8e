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
    links = links.prefetch_related("tags", latest_snapshots_prefetch())
    if query:
        from snapshots.search import search_links

        # Last: ranked results are sliced and counted, not filtered further.
        links = search_links(links, query)
    return links


def shared_link_list(*, share) -> QuerySet[Link]:
    """A share's public page: its links with only their finished snapshots, in two queries."""
    from snapshots.access import shared_links

    finished = Snapshot.objects.filter(status=Snapshot.Status.SUCCEEDED).defer("text", "description")
    return (
        shared_links(share)
        .only("id", "url", "title", "description", "created", "owner_id")
        .prefetch_related(Prefetch("snapshots", queryset=finished.order_by("-created", "-id"), to_attr="shown"))
        .order_by("-created", "-id")
    )
