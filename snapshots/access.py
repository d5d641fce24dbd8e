"""Who may see what: the one place that answers it. Everything else calls these helpers."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from snapshots.models import Link, Snapshot


def links_of(user) -> QuerySet[Link]:
    """The links a signed-in user owns; anonymous users own nothing."""
    if not user.is_authenticated:
        return Link.objects.none()
    return Link.objects.filter(owner=user)


def get_link_for_user(user, link_id: int) -> Link:
    """The user's own link, or 404 — also for other users' links, so ids reveal nothing."""
    return get_object_or_404(links_of(user), pk=link_id)


def get_snapshot_for_user(user, snapshot_id: int) -> Snapshot:
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Snapshot.objects.select_related("link"), pk=snapshot_id, link__owner=user
    )
