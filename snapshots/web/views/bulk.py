"""Bulk actions on the owner's links, from the list and search pages. Thin: parse, call, redirect.

A plain form (row checkboxes and a submit button) that works without script; static/js/bulk.js
only shows its bar when something is chosen and ticks a page's rows at once.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from snapshots.links import bulk
from snapshots.links.tagging import split_tag_string

ACTIONS = ("add_tags", "remove_tags", "recapture", "mark_read", "mark_unread", "delete")


def _back(request: HttpRequest) -> str:
    """The page the form was sent from (a path on this site), else the list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return reverse("snapshots:link_list")


def _chosen_ids(request: HttpRequest) -> list[int]:
    """The ticked rows, or every row of the page when "select all on this page" was ticked."""
    field = "page_ids" if request.POST.get("all_on_page") else "ids"
    return bulk.clean_bulk_ids(request.POST.getlist(field))


def _done(action: str, count: int) -> str:
    texts = {
        "add_tags": ngettext("Tags added to %(n)d link.", "Tags added to %(n)d links.", count),
        "remove_tags": ngettext("Tags removed from %(n)d link.", "Tags removed from %(n)d links.", count),
        "recapture": ngettext(
            "%(n)d link will be captured again, a few at a time.",
            "%(n)d links will be captured again, a few at a time.",
            count,
        ),
        "mark_read": ngettext("%(n)d link marked read.", "%(n)d links marked read.", count),
        "mark_unread": ngettext("%(n)d link marked unread.", "%(n)d links marked unread.", count),
        "delete": ngettext("%(n)d link deleted.", "%(n)d links deleted.", count),
    }
    return texts[action] % {"n": count}


def _apply(request: HttpRequest, action: str, ids: list[int]) -> int:
    owner = request.user
    tags = [name for name in split_tag_string(request.POST.get("tags", "")) if name.strip()]
    if action in ("add_tags", "remove_tags") and not tags:
        raise ValidationError(_("Enter the tags to add or remove."))
    if action == "add_tags":
        return bulk.links_tag(owner=owner, link_ids=ids, add=tags)
    if action == "remove_tags":
        return bulk.links_tag(owner=owner, link_ids=ids, remove=tags)
    if action == "recapture":
        return bulk.links_recapture(owner=owner, link_ids=ids)
    if action in ("mark_read", "mark_unread"):
        return bulk.links_mark(owner=owner, link_ids=ids, unread=action == "mark_unread")
    return bulk.links_delete(owner=owner, link_ids=ids)


@login_required
@require_POST
def link_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the chosen links; deleting asks first, saying how many."""
    back = _back(request)
    action = request.POST.get("action", "")
    try:
        if action not in ACTIONS:
            raise ValidationError(_("Choose what to do with the chosen links."))
        ids = _chosen_ids(request)
        if not ids:
            raise ValidationError(_("Choose at least one link."))
        if action == "delete" and request.POST.get("confirmed") != "1":
            owned = bulk.owned_ids(owner=request.user, link_ids=ids)
            if not owned:
                raise ValidationError(_("Choose at least one link."))
            context = {"ids": owned, "count": len(owned), "back": back}
            return render(request, "snapshots/link_bulk_delete.html", context)
        count = _apply(request, action, ids)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _done(action, count))
    return redirect(back)
