"""Builders shared by the search tests: links with a captured page text, without a browser."""

from __future__ import annotations

from django.utils import timezone

from snapshots.links import services
from snapshots.models import Link, Snapshot
from snapshots.search.changes import link_changed


def link_with_text(owner, url: str, text: str = "", **fields) -> Link:
    """A link whose newest succeeded snapshot holds `text`, indexed like a finished capture."""
    link = services.link_create(owner=owner, url=url, capture=False, **fields)
    if text:
        Snapshot.objects.create(
            link=link, status=Snapshot.Status.SUCCEEDED, text=text, finished=timezone.now(), content_hash="x"
        )
        link_changed(owner_id=owner.pk, link_ids=[link.pk])
    return link
