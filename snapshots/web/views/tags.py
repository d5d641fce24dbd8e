"""The user's tags: list with counts, rename, merge, autocomplete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from snapshots.links import selectors, services
from snapshots.links.tagging import split_tag_string
from snapshots.search.listcache import tag_counts
from snapshots.web.forms import TagMergeForm, TagRenameForm


@login_required
def tag_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "snapshots/tag_list.html",
        {
            "tags": tag_counts(owner_id=request.user.pk),
            "rename_form": TagRenameForm(),
            "merge_form": TagMergeForm(),
        },
    )


def _form_errors(form: Form) -> str:
    """A tag form's errors on one line, each after its field's label: the page shows them as a message."""
    return " ".join(
        _("%(label)s: %(message)s") % {"label": form.fields[name].label, "message": message}
        if name in form.fields
        else str(message)
        for name, messages_ in form.errors.items()
        for message in messages_
    )


def _merge_confirmation(request: HttpRequest, *, sources: list[str], target: str) -> HttpResponse | None:
    """A page asking before tags join an existing one (saying how many links move), unless the
    form came from that page; None when nothing would merge or the person already confirmed."""
    if request.POST.get("confirm"):
        return None
    moves = selectors.tag_merge_moves(owner=request.user, sources=sources, target=target)
    if moves is None:
        return None
    # The tag names are the person's own words: marked so that translators (and the page walk) leave them.
    named = [format_html('<span translate="no">{}</span>', name.strip()) for name in sources if name.strip()]
    wording = ngettext(
        "Merge %(sources)s into %(target)s? %(n)d link moves.",
        "Merge %(sources)s into %(target)s? %(n)d links move.",
        moves,
    )
    question = mark_safe(  # noqa: S308 - the wording is escaped and each name went through format_html
        escape(wording)
        % {
            "sources": conditional_escape(pgettext("between names in a list", ", ")).join(named),
            "target": format_html('<span translate="no">{}</span>', target.strip()),
            "n": moves,
        }
    )
    fields = [(name, value) for name, value in request.POST.items() if name != "csrfmiddlewaretoken"]
    context = {"question": question, "fields": fields, "action": request.path}
    return render(request, "snapshots/tag_merge_confirm.html", context)


@login_required
@require_POST
def tag_rename(request: HttpRequest) -> HttpResponse:
    form = TagRenameForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("snapshots:tag_list")
    asking = _merge_confirmation(request, sources=[form.cleaned_data["old"]], target=form.cleaned_data["new"])
    if asking is not None:
        return asking
    try:
        count = services.tag_rename(owner=request.user, old=form.cleaned_data["old"], new=form.cleaned_data["new"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Tag renamed on %(n)d links.") % {"n": count})
    return redirect("snapshots:tag_list")


@login_required
@require_POST
def tag_merge(request: HttpRequest) -> HttpResponse:
    form = TagMergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("snapshots:tag_list")
    sources = split_tag_string(form.cleaned_data["sources"])
    asking = _merge_confirmation(request, sources=sources, target=form.cleaned_data["target"])
    if asking is not None:
        return asking
    try:
        count = services.tag_merge(owner=request.user, sources=sources, target=form.cleaned_data["target"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Tags merged on %(n)d links.") % {"n": count})
    return redirect("snapshots:tag_list")


@login_required
def tag_autocomplete(request: HttpRequest) -> JsonResponse:
    prefix = request.GET.get("q", "").strip()
    tags = tag_counts(owner_id=request.user.pk)
    if prefix:
        tags = tags.filter(name__istartswith=prefix)
    return JsonResponse({"tags": [t.name for t in tags[:20]]})
