"""Link pages: list, add, detail, edit, delete, capture again. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from snapshots import access
from snapshots.archive import lifecycle
from snapshots.archive.reasons import http_error_text, status_text
from snapshots.links import selectors, services
from snapshots.links.tagging import join_tag_names
from snapshots.models import Link, Snapshot
from snapshots.search import listcache
from snapshots.sharing.moderation import hidden_link_notice
from snapshots.web import live, rows, sharetarget
from snapshots.web.forms import LinkForm, PageUploadForm
from snapshots.web.preview import preview_of
from snapshots.web.views import apply_errors

PAGE_SIZE = 20
# The list's look (dense rows or a card grid with previews) is remembered in a cookie, so it
# holds per browser: a phone keeps rows while a desk may prefer cards.
VIEW_COOKIE = "list_view"
VIEWS = ("list", "grid")
VIEW_COOKIE_AGE = 365 * 24 * 3600


def list_view(request: HttpRequest) -> str:
    """The look asked for (?view=), else the one remembered, else dense rows."""
    for chosen in (request.GET.get("view"), request.COOKIES.get(VIEW_COOKIE)):
        if chosen in VIEWS:
            return chosen
    return VIEWS[0]


def _duplicate_message(exc: services.LinkExists) -> str:
    url = reverse("snapshots:link_detail", args=[exc.existing.pk])
    return format_html(
        '{} <a href="{}">{}</a>', _("You already saved this link."), url, _("Open the saved link")
    )


def link_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        # Visitors get the welcome page at the same address; members their list.
        return render(request, "welcome/landing.html")
    tag = request.GET.get("tag", "").strip()
    query = request.GET.get("q", "").strip()
    facts = listcache.list_facts(owner_id=request.user.pk)
    active = facts.tag_named(tag) if tag else None
    links = selectors.link_list(
        owner=request.user,
        tag=tag or None,
        tag_id=active.get("id") if active else None,
        query=query or None,
        fields=rows.LINK_FIELDS,
    )
    paginator = Paginator(links, PAGE_SIZE)
    # Counts the cache already knows spare the paginator a COUNT(*) over the user's links.
    if not tag and not query:
        paginator.count = facts.total
    elif active and not query:
        paginator.count = int(active["count"])
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": rows.link_rows(page.object_list, rows.owner_list(request.user)),
        "tag": tag,
        "query": query,
        "tags": facts.tags,
        "active_tag": active["name"] if active else None,
        "view": list_view(request),
    }
    context["poll"] = rows_poll(context["rows"], view=context["view"], descriptions=True)
    response = render(request, "snapshots/link_list.html", context)
    if request.GET.get("view") in VIEWS:
        response.set_cookie(
            VIEW_COOKIE, context["view"], max_age=VIEW_COOKIE_AGE, samesite="Lax", secure=request.is_secure()
        )
    return response


def rows_poll(
    page_rows: list[rows.LinkRow], *, view: str = "list", descriptions: bool = False, round_: int = 0
) -> live.Poll:
    """The poller of a page of rows (its `round_`): it asks about the rows whose newest capture is unfinished."""
    unfinished = [row.pk for row in page_rows if row.status is not None and row.status.unfinished]
    return live.next_poll(
        reverse("snapshots:rows_live"),
        round_=round_,
        active=bool(unfinished),
        ids=live.join_ids(unfinished),
        view=view if view != "list" else "",
        desc="1" if descriptions else "",
    )


@login_required
def link_add(request: HttpRequest) -> HttpResponse:
    url, title = sharetarget.shared_link(request.GET)
    initial = {"url": url, "title": title[: LinkForm.base_fields["title"].max_length]}
    form = LinkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link = services.link_create(
                owner=request.user,
                url=data["url"],
                tags=form.tag_list(),
                title=data["title"],
                description=data["description"],
                notes=data["notes"],
                unread=data["unread"],
                keep_as_served=data["keep_as_served"],
            )
        except services.LinkExists as exc:
            form.add_error("url", _duplicate_message(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        except services.LinkRateExceeded as exc:
            form.add_error(None, str(exc))
        else:
            if request.GET.get("popup"):
                # The popup's own page says it is saved; a message would wait for the next page.
                return render(request, "snapshots/popup_done.html", {"link": link})
            messages.success(request, _("Saved. The snapshot is being captured."))
            return redirect("snapshots:link_list")
    template = "snapshots/link_popup.html" if request.GET.get("popup") else "snapshots/link_form.html"
    upload_form = PageUploadForm(initial={"url": initial["url"]})
    return render(request, template, {"form": form, "adding": True, "upload_form": upload_form})


def link_page_context(request: HttpRequest, link: Link, *, round_: int = 0) -> dict[str, object]:
    """What the link page shows, and its poller while a capture of the link is unfinished."""
    snapshots = list(link.snapshots.defer("text").order_by("-created", "-id"))
    shown = rows.snapshot_to_show(snapshots)
    poll = live.next_poll(
        reverse("snapshots:link_live", args=[link.pk]),
        round_=round_,
        active=live.any_unfinished(snapshots),
        sig=live.snapshots_signature(snapshots),
    )
    # Each version with its error or notes worded once; the details column shows only if one has any.
    versions = [(snap, status_text(snap)) for snap in snapshots]
    return {
        "link": link,
        "snapshots": snapshots,
        "versions": versions,
        "version_details": any(details for _, details in versions),
        "shown": shown,
        "preview": preview_of(request, shown),
        "newest_http_error": http_error_text(snapshots[0] if snapshots else None),
        "hidden_notice": hidden_link_notice(link),  # staff hid it from the owner's collections, and why
        "poll": poll,
    }


@login_required
def link_detail(request: HttpRequest, link_id: int) -> HttpResponse:
    link = access.get_link_for_user(request.user, link_id)
    return render(request, "snapshots/link_detail.html", link_page_context(request, link))


@login_required
def link_edit(request: HttpRequest, link_id: int) -> HttpResponse:
    link = access.get_link_for_user(request.user, link_id)
    initial = {
        "url": link.url,
        "tags": join_tag_names(link.tags.names()),
        "title": link.title,
        "description": link.description,
        "notes": link.notes,
        "unread": link.unread,
        "keep_as_served": link.keep_as_served,
        "recapture": link.recapture,
    }
    form = LinkForm(request.POST or None, initial=initial, stored=initial)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "tags": form.tag_list()}
        try:
            services.link_update(link=link, data=data)
        except services.LinkExists as exc:
            form.add_error("url", _duplicate_message(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("snapshots:link_detail", link_id=link.pk)
    return render(request, "snapshots/link_form.html", {"form": form, "link": link})


@login_required
def link_delete(request: HttpRequest, link_id: int) -> HttpResponse:
    link = access.get_link_for_user(request.user, link_id)
    if request.method == "POST":
        services.link_delete(link=link)
        messages.success(request, _("Link deleted."))
        return redirect("snapshots:link_list")
    return render(request, "snapshots/link_confirm_delete.html", {"link": link})


@login_required
@require_POST
def link_capture(request: HttpRequest, link_id: int) -> HttpResponse:
    link = access.get_link_for_user(request.user, link_id)
    try:
        lifecycle.snapshot_request(link=link, trigger=Snapshot.Trigger.MANUAL, strict=True)
    except lifecycle.CaptureRateExceeded:
        messages.error(request, _("You have asked for many captures this hour. Please try again later."))
    else:
        messages.success(request, _("A new snapshot is being captured."))
    return redirect("snapshots:link_detail", link_id=link.pk)
