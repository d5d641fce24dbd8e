"""Versions of a link: pick two snapshots, see the text diff and the marked screenshots."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from snapshots import access
from snapshots.archive import diffing
from snapshots.models import Snapshot
from snapshots.web import rows
from snapshots.web.preview import preview_of


def _pick(versions: list[Snapshot], wanted: str | None, fallback: Snapshot | None) -> Snapshot | None:
    if wanted and wanted.isdigit():
        return next((s for s in versions if s.pk == int(wanted)), fallback)
    return fallback


@login_required
def version_compare(request: HttpRequest, link_id: int) -> HttpResponse:
    link = access.get_link_for_user(request.user, link_id)
    versions = list(
        link.snapshots.filter(status=Snapshot.Status.SUCCEEDED)
        .defer("text", "description")
        .order_by("-created", "-id")
    )
    new = _pick(versions, request.GET.get("new"), versions[0] if versions else None)
    old = _pick(versions, request.GET.get("old"), versions[1] if len(versions) > 1 else None)
    context = {
        "link": link,
        "versions": versions,
        "old": old,
        "new": new,
        "diff": None,
        "preview": preview_of(request, rows.snapshot_to_show(versions)),
    }
    if old and new and old.pk != new.pk:
        texts = dict(Snapshot.objects.filter(pk__in=[old.pk, new.pk]).values_list("pk", "text"))
        context["diff"] = diffing.text_diff(texts[old.pk], texts[new.pk])
        context["images"] = bool(old.artifacts.get("screenshot") and new.artifacts.get("screenshot"))
    return render(request, "snapshots/versions.html", context)


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
