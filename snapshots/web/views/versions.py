"""Versions of a link: pick two snapshots, see the text diff and the marked screenshots.

While a capture of the link is unfinished the page says so and polls (snapshots.web.live): once
it ends, the page comes again with the new version, its preview and the comparison to it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from snapshots import access
from snapshots.archive import diffing
from snapshots.models import Link, Snapshot
from snapshots.web import live, rows
from snapshots.web.preview import preview_of


def _pick(versions: list[Snapshot], wanted: str | None, fallback: Snapshot | None) -> Snapshot | None:
    if wanted and wanted.isdigit():
        return next((s for s in versions if s.pk == int(wanted)), fallback)
    return fallback


def versions_page_context(request: HttpRequest, link: Link, *, round_: int = 0) -> dict[str, object]:
    """What the versions page shows, and its poller while a capture of the link is unfinished.

    One query for every version of the link, whatever its status: the succeeded ones are
    compared, the newest says whether a capture is still under way or failed. The texts' diff
    is `with_comparison`'s: a poll that finds nothing changed sends no page and reads no text.
    """
    snapshots = list(link.snapshots.defer("text", "description").order_by("-created", "-id"))
    versions = [snap for snap in snapshots if snap.status == Snapshot.Status.SUCCEEDED]
    picked = {key: request.GET.get(key, "") for key in ("old", "new")}
    new = _pick(versions, picked["new"], versions[0] if versions else None)
    old = _pick(versions, picked["old"], versions[1] if len(versions) > 1 else None)
    newest = snapshots[0] if snapshots else None
    context: dict[str, object] = {
        "link": link,
        "versions": versions,
        "old": old,
        "new": new,
        "diff": None,
        # The newest capture when it is not a saved version: under way, or failed since.
        "pending": newest if newest is not None and newest.status != Snapshot.Status.SUCCEEDED else None,
        "preview": preview_of(request, rows.snapshot_to_show(versions)),
        "poll": live.next_poll(
            reverse("snapshots:versions_live", args=[link.pk]),
            round_=round_,
            active=live.any_unfinished(snapshots),
            sig=live.snapshots_signature(snapshots),
            **picked,
        ),
        "snapshots": snapshots,
    }
    return context


def with_comparison(context: dict[str, object]) -> dict[str, object]:
    """The page's context with the two chosen versions' diff, when two different ones are chosen."""
    old, new = context["old"], context["new"]
    if isinstance(old, Snapshot) and isinstance(new, Snapshot) and old.pk != new.pk:
        texts = dict(Snapshot.objects.filter(pk__in=[old.pk, new.pk]).values_list("pk", "text"))
        context["diff"] = diffing.text_diff(texts[old.pk], texts[new.pk])
        context["images"] = bool(old.artifacts.get("screenshot") and new.artifacts.get("screenshot"))
    return context


@login_required
def version_compare(request: HttpRequest, link_id: int) -> HttpResponse:
    link = access.get_link_for_user(request.user, link_id)
    return render(request, "snapshots/versions.html", with_comparison(versions_page_context(request, link)))


@login_required
@require_GET
def version_image(request: HttpRequest, link_id: int, old_id: int, new_id: int, side: str) -> HttpResponse:
    """One screenshot with the changed regions outlined; computed on request, owner only."""
    link = access.get_link_for_user(request.user, link_id)
    if side not in ("old", "new"):
        raise Http404
    pair = {s.pk: s for s in link.snapshots.filter(pk__in=[old_id, new_id], status=Snapshot.Status.SUCCEEDED)}
    old, new = pair.get(old_id), pair.get(new_id)
    if old is None or new is None or not old.artifacts.get("screenshot") or not new.artifacts.get("screenshot"):
        raise Http404
    response = HttpResponse(diffing.marked_screenshot(old=old, new=new, side=side), content_type="image/webp")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
