"""What anyone holding a share URL sees: the collection, its snapshots, the report form, and the
opt-in profile. Everything is under `/s/<token>/`, so a paused or rotated share closes it all."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from accounts.addresses import client_ip
from snapshots import access
from snapshots.links import selectors
from snapshots.models import Share, Snapshot
from snapshots.paging import UncountedPage
from snapshots.sharing import moderation
from snapshots.storage.serving import SHARED_CACHE, artifact_response
from snapshots.storage.signing import artifact_urls, signed_url
from snapshots.web import live
from snapshots.web.rows import LINK_FIELDS, LinkRow, RowStyle, link_rows
from snapshots.web.share_forms import ReportForm

PAGE_SIZE = 20


# Pages under a share must not outlive it in any cache. The token is in the URL: the site-wide
# `same-origin` referrer policy keeps it from other sites (`no-referrer` would also strip the
# Origin of our own form posts, which CSRF checking needs).
public_page = cache_control(private=True, no_cache=True)


def _unlisted(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@public_page
def share_page(request: HttpRequest, token: str) -> HttpResponse:
    share = access.get_live_share(token)
    query = request.GET.get("q", "").strip()
    links = selectors.shared_link_list(share=share, query=query or None)
    page = UncountedPage(links, request.GET.get("page"), PAGE_SIZE)
    rows = link_rows(page.object_list, RowStyle(share=share, request=request))
    context = {"share": share, "page": page, "rows": rows, "query": query, "poll": _share_poll(request, share, rows)}
    return _unlisted(render(request, "public/share.html", context))


def _share_poll(request: HttpRequest, share: Share, rows: list[LinkRow], round_: int = 0) -> live.Poll:
    """Only the share's owner follows its captures live: visitors are never told about them."""
    unfinished = [row.pk for row in rows if row.unfinished]
    return live.next_poll(
        reverse("snapshots:share_live", args=[share.token]),
        round_=round_,
        active=bool(unfinished) and request.user.pk == share.owner_id,
        ids=live.join_ids(unfinished),
    )


@public_page
def share_live(request: HttpRequest, token: str) -> HttpResponse:
    """The owner's poll of their share page: the rows asked about again, and the next poller."""
    share = access.get_live_share(token)
    if not request.user.is_authenticated or request.user.pk != share.owner_id:
        raise Http404
    ids = live.parse_ids(request.GET.get("ids", ""))
    links = list(access.shared_links(share).filter(pk__in=ids).only(*LINK_FIELDS)) if ids else []
    rows = link_rows(links, RowStyle(share=share, request=request))
    context = {"share": share, "rows": rows, "poll": _share_poll(request, share, rows, live.poll_round(request.GET))}
    return _unlisted(render(request, "public/_share_live.html", context))


@public_page
def share_snapshot(request: HttpRequest, token: str, snapshot_id: int) -> HttpResponse:
    share = access.get_live_share(token)
    snapshot = access.get_shared_snapshot(share, snapshot_id)
    context = {
        "share": share,
        "snap": snapshot,
        "link": snapshot.link,
        "urls": artifact_urls(request, snapshot, share=share),
    }
    return _unlisted(render(request, "public/snapshot.html", context))


def share_artifact(request: HttpRequest, token: str, snapshot_id: int, kind: str) -> HttpResponse:
    if kind in Snapshot.OWNER_ONLY_KINDS:
        raise Http404
    share = access.get_live_share(token)
    snapshot = access.get_shared_snapshot(share, snapshot_id)
    download = request.GET.get("download") == "1"
    if settings.SNAPSHOT_HOST:
        return redirect(signed_url(request, snapshot, kind, share=share, download=download))
    return artifact_response(snapshot, kind, download=download, cache_control=SHARED_CACHE)


@public_page
def share_report(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone may report the collection or one link in it; the per-address limit is in moderation."""
    share = access.get_live_share(token)
    link_id = request.GET.get("link") or request.POST.get("link")
    link = access.get_shared_link(share, int(link_id)) if link_id and link_id.isdigit() else None
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            moderation.report_create(
                share=share,
                link=link,
                reason=form.cleaned_data["reason"],
                message=form.cleaned_data["message"],
                ip=client_ip(request),
            )
        except moderation.ReportTargetRateExceeded:
            form.add_error(None, _("This collection has had many reports in the last hour. Please try again later."))
            status = 429
        except moderation.ReportRateExceeded:
            form.add_error(None, _("You have sent many reports recently. Please try again later."))
            status = 429
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Thank you. Our staff will review your report."))
            return redirect("snapshots:share_page", token=share.token)
    context = {"share": share, "link": link, "form": form}
    return _unlisted(render(request, "public/report.html", context, status=status))


@public_page
def profile(request: HttpRequest, username: str) -> HttpResponse:
    user, shares = access.profile_shares(username)
    return render(request, "public/profile.html", {"profile_user": user, "shares": shares})
