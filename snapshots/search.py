"""Search over a user's links."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from snapshots.models import Link


def apply_search(links: QuerySet[Link], query: str) -> QuerySet[Link]:
    for word in query.split():
        links = links.filter(
            Q(title__icontains=word)
            | Q(url__icontains=word)
            | Q(description__icontains=word)
            | Q(notes__icontains=word)
            | Q(tags__name__icontains=word)
        )
    return links.distinct()
