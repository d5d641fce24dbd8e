"""Absolute URLs of artifacts for API consumers (session or token authenticated owners)."""

from __future__ import annotations

from django.urls import reverse

from snapshots.models import Snapshot


def artifact_url(request, snapshot: Snapshot, kind: str) -> str:
    path = reverse("snapshots:snapshot_artifact", args=[snapshot.pk, kind])
    return request.build_absolute_uri(path) if request is not None else path
