"""Pages saved in the owner's own browser: the file upload on the add page, and the window that
receives the page the bookmarklet hands over ("save this page as I see it").

The bookmarklet runs in the reader's page and opens `page_receive` with the page's address. The
two windows talk only by postMessage: this page sends `Cross-Origin-Opener-Policy: unsafe-none`
so that it keeps its opener, takes a message only from its opener and only from the origin of
the address it was opened for, answers that origin by name, and uploads (same origin, the
owner's session, CSRF token) only after the owner confirms. No cross-site request reaches us.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from snapshots.links import uploads
from snapshots.links.services import LinkRateExceeded
from snapshots.links.urlnorm import display_url
from snapshots.web.forms import LinkForm, PageUploadForm
from snapshots.web.views import apply_errors


def _save(request: HttpRequest, form: PageUploadForm):
    """The snapshot saved from the form's file, or None with the reasons added to the form."""
    file = form.cleaned_data["file"]
    try:
        upload = uploads.read_upload(file, file.name or "")
        return uploads.page_upload(
            owner=request.user, url=form.cleaned_data["url"], upload=upload, tags=form.tag_list()
        )
    except ValidationError as exc:
        apply_errors(form, exc)
    except LinkRateExceeded as exc:
        form.add_error(None, str(exc))
    return None


@login_required
@require_POST
def link_upload(request: HttpRequest) -> HttpResponse:
    """The add page's second form: a saved .html/.mhtml file becomes a snapshot of its address."""
    form = PageUploadForm(request.POST, request.FILES)
    if form.is_valid():
        snapshot = _save(request, form)
        if snapshot is not None:
            messages.success(request, _("Uploaded. The page you saved is being rendered."))
            return redirect("snapshots:link_detail", snapshot.link_id)
    context = {"form": LinkForm(), "upload_form": form, "adding": True}
    return render(request, "snapshots/link_form.html", context, status=400)


def page_receive(request: HttpRequest) -> HttpResponse:
    """GET: the window the bookmarklet opens. POST (from that window's script): the upload, as JSON.

    Signed out, the window says so and links to the login page in a new tab, instead of sending
    this window there: the login page keeps the site's same-origin opener policy, and loading it
    here would cut this window off from the page that opened it.
    """
    if not request.user.is_authenticated:
        if request.method == "POST":
            return JsonResponse({"errors": [_("Log in to linkhome first.")]}, status=403)
        return _without_opener_policy(render(request, "snapshots/page_receive.html", {"signed_out": True}))
    if request.method == "POST":
        form = PageUploadForm(request.POST, request.FILES)
        snapshot = _save(request, form) if form.is_valid() else None
        if snapshot is None:
            errors = [str(m) for messages_ in form.errors.values() for m in messages_]
            return JsonResponse({"errors": errors}, status=400)
        return JsonResponse(
            {"snapshot": snapshot.pk, "link_url": reverse("snapshots:link_detail", args=[snapshot.link_id])},
            status=201,
        )
    url = request.GET.get("url", "")
    context = {
        "url": url,
        "display_url": display_url(url) if url else "",
        "max_bytes": settings.UPLOAD_MAX_BYTES,
        "plain_save_url": f"{reverse('snapshots:link_add')}?popup=1&url={quote(url, safe='')}",
    }
    return _without_opener_policy(render(request, "snapshots/page_receive.html", context))


def _without_opener_policy(response: HttpResponse) -> HttpResponse:
    # Keep the opener (the reader's page): the site's default, same-origin, would cut it off.
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response
