"""The pages' one poll each for unfinished captures (see snapshots.web.live). Owner-only: ids
of other users' links are left out as if they did not exist, and a link page 404s."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from snapshots import access
from snapshots.web import live, rows
from snapshots.web.views.links import link_page_context, rows_poll
from snapshots.web.views.snapshots import snapshot_page_context
from snapshots.web.views.versions import versions_page_context, with_comparison


@login_required
def rows_live(request: HttpRequest) -> HttpResponse:
    """The rows asked about (`ids`), swapped in place, and the poller for those still unfinished.

    Constant queries whatever the number of rows: the links, their newest versions, their tags.
    """
    ids = live.parse_ids(request.GET.get("ids", ""))
    links = list(access.links_of(request.user).filter(pk__in=ids).only(*rows.LINK_FIELDS)) if ids else []
    order = {pk: index for index, pk in enumerate(ids)}
    links.sort(key=lambda link: order[link.pk])
    found = rows.link_rows(links)
    view = "grid" if request.GET.get("view") == "grid" else "list"
    descriptions = request.GET.get("desc") == "1"
    poll = rows_poll(found, view=view, descriptions=descriptions, round_=live.poll_round(request.GET))
    context = {"rows": found, "poll": poll, "view": view, "descriptions": descriptions}
    return render(request, "snapshots/_live_rows.html", context)


@login_required
def link_live(request: HttpRequest, link_id: int) -> HttpResponse:
    """The link page's poll: its body again when a version appeared or changed status
    (the title and description fill in when a capture finishes), and the next poller."""
    link = access.get_link_for_user(request.user, link_id)
    context = link_page_context(request, link, round_=live.poll_round(request.GET))
    signature = live.snapshots_signature(context["snapshots"])  # type: ignore[arg-type]
    context["changed"] = signature != request.GET.get("sig")
    return render(request, "snapshots/_link_live.html", context)


@login_required
def snapshot_live(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    """The snapshot page's poll (the owner's only): the page again once its status changed."""
    snapshot = access.get_snapshot_for_user(request.user, snapshot_id)
    context = snapshot_page_context(request, snapshot, round_=live.poll_round(request.GET))
    context["changed"] = snapshot.status != request.GET.get("status")
    return render(request, "snapshots/_snapshot_live.html", context)


@login_required
def versions_live(request: HttpRequest, link_id: int) -> HttpResponse:
    """The versions page's poll: the page again, compared anew, once a capture of the link ended
    or another began; else only the next poller (no texts read, no diff made)."""
    link = access.get_link_for_user(request.user, link_id)
    context = versions_page_context(request, link, round_=live.poll_round(request.GET))
    context["changed"] = live.snapshots_signature(context["snapshots"]) != request.GET.get("sig")  # type: ignore[arg-type]
    if context["changed"]:
        with_comparison(context)
    return render(request, "snapshots/_versions_live.html", context)
