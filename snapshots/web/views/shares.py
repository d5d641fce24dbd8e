"""The owner's side of sharing: create, edit, pause, rotate, delete, and the profile opt-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from snapshots import access
from snapshots.links.selectors import tag_names
from snapshots.sharing import shares
from snapshots.web.share_forms import ShareEditForm, ShareForm
from snapshots.web.views import apply_errors


@login_required
def share_list(request: HttpRequest) -> HttpResponse:
    initial = {"tag": request.GET.get("tag", ""), "title": request.GET.get("tag", "")}
    form = ShareForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            share = shares.share_create(owner=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your collection is online. Copy its address below."))
            return redirect("snapshots:share_edit", share_id=share.pk)
    context = {
        "shares": access.shares_of(request.user),
        "form": form,
        "tags": tag_names(owner_id=request.user.pk)[:200],
        "now": timezone.now(),
    }
    return render(request, "shares/share_list.html", context)


@login_required
def share_edit(request: HttpRequest, share_id: int) -> HttpResponse:
    share = access.get_share_for_owner(request.user, share_id)
    initial = {"title": share.title, "description": share.description, "expires": share.expires, "active": share.active}
    form = ShareEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            shares.share_update(share=share, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("snapshots:share_edit", share_id=share.pk)
    public_url = request.build_absolute_uri(reverse("snapshots:share_page", args=[share.token]))
    return render(request, "shares/share_edit.html", {"share": share, "form": form, "public_url": public_url})


@login_required
@require_POST
def share_toggle(request: HttpRequest, share_id: int) -> HttpResponse:
    share = access.get_share_for_owner(request.user, share_id)
    shares.share_update(share=share, data={"active": not share.active})
    messages.success(request, _("Collection is online.") if share.active else _("Collection paused."))
    return redirect("snapshots:share_edit", share_id=share.pk)


@login_required
@require_POST
def share_rotate(request: HttpRequest, share_id: int) -> HttpResponse:
    share = access.get_share_for_owner(request.user, share_id)
    shares.share_rotate(share=share)
    messages.success(request, _("New address created. The old address no longer works."))
    return redirect("snapshots:share_edit", share_id=share.pk)


@login_required
def share_delete(request: HttpRequest, share_id: int) -> HttpResponse:
    share = access.get_share_for_owner(request.user, share_id)
    if request.method == "POST":
        shares.share_delete(share=share)
        messages.success(request, _("Collection deleted. Your links are untouched."))
        return redirect("snapshots:share_list")
    return render(request, "shares/share_confirm_delete.html", {"share": share})


@login_required
@require_POST
def profile_collections(request: HttpRequest) -> HttpResponse:
    visible = request.POST.get("show_collections_on_profile") == "on"
    shares.profile_collections_set(user=request.user, visible=visible)
    messages.success(
        request, _("Your collections are listed on your profile.") if visible else _("Your profile is hidden.")
    )
    return redirect("accounts:settings")
