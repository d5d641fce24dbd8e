"""Absolute URLs of artifacts for API consumers (session or token authenticated owners).

With SNAPSHOT_HOST set these are signed URLs on that host, usable without any credential until
they expire, because the separate origin never sees the API token or the session cookie.
"""

from __future__ import annotations

from snapshots import artifact_links
from snapshots.models import Snapshot


def artifact_url(request, snapshot: Snapshot, kind: str) -> str:
    return artifact_links.artifact_url(request, snapshot, kind, absolute=True)
