"""An owner's view of one snapshot and its artifacts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from snapshots import access
from snapshots.serving import artifact_response


@login_required
def snapshot_detail(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    snapshot = access.get_snapshot_for_user(request.user, snapshot_id)
    return render(request, "snapshots/snapshot_detail.html", {"snap": snapshot, "link": snapshot.link})


@login_required
@xframe_options_sameorigin
def snapshot_artifact(request: HttpRequest, snapshot_id: int, kind: str) -> HttpResponse:
    snapshot = access.get_snapshot_for_user(request.user, snapshot_id)
    response = artifact_response(snapshot, kind, download=request.GET.get("download") == "1")
    if kind != "html":
        response["X-Frame-Options"] = "DENY"
    return response
