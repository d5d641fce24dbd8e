"""Where an artifact can be fetched from, for the person who is looking.

Without SNAPSHOT_HOST, artifacts live under the owner's URL space (cookie or API token) or under
the share's URL space, so a share's grant ends with its token. With SNAPSHOT_HOST, archived bytes
come from a separate origin that never sees our cookies; the grant travels in a short-lived
signed URL naming the snapshot, the artifact and whose access it is (owner, share, or staff), and
is checked again against the database when used, so a rotated share or a suspended owner stops it.
"""

from __future__ import annotations

import hashlib
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone

from snapshots.models import Share, Snapshot
from snapshots.reversing import url_former

SALT = "snapshots.artifact.v1"


def token_fingerprint(token: str) -> str:
    """Binds a signed URL to one share token without putting the token itself in the URL."""
    return hashlib.sha256(token.encode()).hexdigest()[:20]


def _origin(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return f"{request.scheme}://{request.get_host()}"


def signed_url(
    request: HttpRequest | None,
    snapshot: Snapshot,
    kind: str,
    *,
    share: Share | None = None,
    viewer_id: int | None = None,
    download: bool = False,
) -> str:
    """An absolute URL on SNAPSHOT_HOST carrying the grant; valid for SNAPSHOT_URL_MAX_AGE seconds."""
    payload: dict[str, Any] = {"s": snapshot.pk, "k": kind, "f": _origin(request)}
    if share is not None:
        payload["h"] = share.pk
        payload["t"] = token_fingerprint(share.token)
    else:
        payload["v"] = viewer_id if viewer_id is not None else snapshot.link.owner_id
    if download:
        payload["d"] = 1
        # The artifact host never sees the site's cookies: the file name's date travels in the grant.
        payload["z"] = timezone.get_current_timezone_name()
    value = signing.dumps(payload, salt=SALT, compress=True)
    scheme = request.scheme if request is not None else "https"
    return f"{scheme}://{settings.SNAPSHOT_HOST}{reverse('snapshots:signed_artifact', args=[value])}"


def read_signed(value: str) -> dict[str, Any]:
    """The payload of a signed URL still within its lifetime, or 404 (forged, altered or stale)."""
    try:
        payload = signing.loads(value, salt=SALT, max_age=settings.SNAPSHOT_URL_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int) or "k" not in payload:
        raise Http404
    return payload


def signed_zone(payload: dict[str, Any]) -> zoneinfo.ZoneInfo | None:
    """The viewer's time zone a signed download carries (for its file name's date), if any."""
    try:
        return zoneinfo.ZoneInfo(payload["z"]) if isinstance(payload.get("z"), str) else None
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return None


_ANY_KIND = "0kind0"  # stands for the artifact kind in a path formed once for a whole response


def owner_artifact_former(request: HttpRequest | None) -> Callable[[int, str], str] | None:
    """`(snapshot pk, kind) -> absolute artifact_url` for a whole API response at the cost of one
    `reverse()`: a page of links names eight artifacts per snapshot. None with SNAPSHOT_HOST, whose
    URLs are signed one by one, or without a request to say the origin."""
    if settings.SNAPSHOT_HOST or request is None:
        return None
    origin, path_of = _origin(request), url_former("snapshots:snapshot_artifact", _ANY_KIND)
    return lambda pk, kind: origin + path_of(pk).replace(_ANY_KIND, kind)


def artifact_url(
    request: HttpRequest | None,
    snapshot: Snapshot,
    kind: str,
    *,
    share: Share | None = None,
    viewer_id: int | None = None,
    download: bool = False,
    absolute: bool = False,
) -> str:
    if settings.SNAPSHOT_HOST:
        return signed_url(request, snapshot, kind, share=share, viewer_id=viewer_id, download=download)
    if share is not None:
        path = reverse("snapshots:share_artifact", args=[share.token, snapshot.pk, kind])
    else:
        path = reverse("snapshots:snapshot_artifact", args=[snapshot.pk, kind])
    if download:
        path += "?download=1"
    return request.build_absolute_uri(path) if absolute and request is not None else path


def artifact_urls(
    request: HttpRequest | None, snapshot: Snapshot, *, share: Share | None = None, viewer_id: int | None = None
) -> dict[str, str]:
    """`{kind: url, "<kind>_download": url}` for every artifact the snapshot has, for templates."""
    urls: dict[str, str] = {}
    for kind in Snapshot.ARTIFACT_KINDS:
        if kind in Snapshot.OWNER_ONLY_KINDS and share is not None:
            continue
        if (snapshot.artifacts or {}).get(kind):
            urls[kind] = artifact_url(request, snapshot, kind, share=share, viewer_id=viewer_id)
            urls[f"{kind}_download"] = artifact_url(
                request, snapshot, kind, share=share, viewer_id=viewer_id, download=True
            )
    return urls
