"""One snapshot and its artifacts, for the owner (session or API token) and for staff reviewing
shared or reported content — every staff look is written to the audit log."""

from __future__ import annotations

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import HashedTokenAuthentication
from snapshots import access
from snapshots.models import Snapshot
from snapshots.sharing import moderation
from snapshots.storage.readercopy import reader_markup, reading_minutes
from snapshots.storage.serving import SHARED_CACHE, artifact_response
from snapshots.storage.signing import artifact_urls, read_signed, signed_url, signed_zone
from snapshots.web import live
from snapshots.web.preview import preview_of


def _grant(user, snapshot_id: int, what: str) -> access.SnapshotGrant:
    grant = access.grant_snapshot(user, snapshot_id)
    if grant.staff_view:
        moderation.staff_view_record(actor=user, link=grant.snapshot.link, what=what)
    return grant


@login_required
def snapshot_detail(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    grant = _grant(request.user, snapshot_id, "page")
    context = snapshot_page_context(request, grant.snapshot, staff_view=grant.staff_view)
    return render(request, "snapshots/snapshot_detail.html", context)


def snapshot_page_context(
    request: HttpRequest, snapshot: Snapshot, *, staff_view: bool = False, round_: int = 0
) -> dict[str, object]:
    """What the snapshot page shows, and its poller while the owner waits for the capture to end
    (staff never poll: each of their looks is audited)."""
    urls = artifact_urls(request, snapshot, viewer_id=request.user.pk)
    poll = live.next_poll(
        reverse("snapshots:snapshot_live", args=[snapshot.pk]),
        round_=round_,
        active=not staff_view and not snapshot.is_finished,
        status=snapshot.status,
    )
    return {
        "snap": snapshot,
        "link": snapshot.link,
        "urls": urls,
        "preview": preview_of(request, snapshot, urls),
        "staff_view": staff_view,
        "reader_url": reverse("snapshots:snapshot_reader", args=[snapshot.pk]) if urls.get("reader") else "",
        "poll": poll,
    }


@login_required
@csp_update({"img-src": ["data:"]})  # the reader copy keeps its images inline, as data: URLs only
def snapshot_reader(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    """The reader copy inside our own page: typography, themes, reading time."""
    grant = _grant(request.user, snapshot_id, "reader")
    snapshot = grant.snapshot
    markup = reader_markup(snapshot)  # None: no reader copy (no main content, or captured before them)
    return render(
        request,
        "snapshots/snapshot_reader.html",
        {
            "snap": snapshot,
            "link": snapshot.link,
            "reader": markup,
            "minutes": reading_minutes(snapshot.reader_text or snapshot.text) if markup else 0,
            "staff_view": grant.staff_view,
        },
    )


def snapshot_artifact(request: HttpRequest, snapshot_id: int, kind: str) -> HttpResponse:
    """Session users and API tools (`Authorization: Token …`) fetch the same URL."""
    user = request.user
    if request.META.get("HTTP_AUTHORIZATION"):
        try:
            authenticated = HashedTokenAuthentication().authenticate(request)
        except AuthenticationFailed as exc:
            return JsonResponse({"detail": str(exc.detail)}, status=401, headers={"WWW-Authenticate": "Token"})
        if authenticated is not None:
            user = authenticated[0]
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    grant = _grant(user, snapshot_id, kind)
    download = request.GET.get("download") == "1"
    if settings.SNAPSHOT_HOST:
        # Archived bytes never come from the site's own origin once a separate one exists.
        return redirect(signed_url(request, grant.snapshot, kind, viewer_id=user.pk, download=download))
    return artifact_response(grant.snapshot, kind, download=download)


@xframe_options_exempt
def signed_artifact(request: HttpRequest, signed: str) -> HttpResponse:
    """Artifacts on SNAPSHOT_HOST: no cookies there, the signed URL is the whole grant.

    Framing is governed by the CSP `frame-ancestors` of the page that made the URL, since
    X-Frame-Options cannot name another origin.
    """
    if not settings.SNAPSHOT_HOST or request.get_host() != settings.SNAPSHOT_HOST:
        raise Http404
    payload = read_signed(signed)
    grant = access.grant_signed(payload)
    if grant.staff_viewer is not None:
        moderation.staff_view_record(actor=grant.staff_viewer, link=grant.snapshot.link, what=payload["k"])
    with timezone.override(signed_zone(payload)):
        return artifact_response(
            grant.snapshot,
            payload["k"],
            download=bool(payload.get("d")),
            frame_ancestors=payload.get("f") or "'none'",
            cache_control=SHARED_CACHE if grant.share is not None else "private, max-age=600",
        )
