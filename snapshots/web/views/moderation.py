"""Staff moderation: the queue of reports (the item, its owner and a preview, and one form per
report to act on it) and the audit log, read and filtered. Decisions are made in
moderation.py, which writes the log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from snapshots.archive.reasons import REPORT_STATUS_LABELS
from snapshots.links.selectors import newest_success_prefetch
from snapshots.models import Report
from snapshots.sharing import auditlog, moderation
from snapshots.storage.signing import artifact_url
from snapshots.web.share_forms import AuditFilterForm, ResolveForm

PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50


def _queue(status: str):
    return (
        Report.objects.filter(status=status)
        .select_related("share__owner", "link", "resolved_by")
        .prefetch_related(newest_success_prefetch("link__snapshots"))
        .order_by("created" if status == Report.Status.OPEN else "-resolved_at")
    )


@staff_member_required
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Report.Status.OPEN)
    if status not in Report.Status.values:
        status = Report.Status.OPEN
    page = Paginator(_queue(status), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for report in page.object_list:
        shot = report.link.shown[0] if report.link is not None and report.link.shown else None
        preview = artifact_url(request, shot, "thumbnail", viewer_id=request.user.pk) if shot else None
        if shot is not None and not (shot.artifacts or {}).get("thumbnail"):
            preview = None
        form = ResolveForm(prefix=f"r{report.pk}", actions=moderation.actions_for(report))
        rows.append({"report": report, "snap": shot, "preview": preview, "form": form})
    context = {"page": page, "rows": rows, "status": status, "statuses": list(REPORT_STATUS_LABELS.items())}
    return render(request, "moderation/queue.html", context)


@staff_member_required
@require_POST
def resolve(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=report_id)
    # An open report takes the actions its queue form offers; a closed one can only be restored.
    if report.status == Report.Status.OPEN:
        offered = moderation.actions_for(report)
    else:
        offered = [(moderation.Action.RESTORE.value, moderation.Action.RESTORE.label)]
    form = ResolveForm(request.POST, prefix=f"r{report.pk}", actions=offered)
    if not form.is_valid():
        messages.error(request, _("Choose an action and say why."))
        return redirect("snapshots:moderation_queue")
    try:
        moderation.report_resolve(
            report=report, actor=request.user, action=form.cleaned_data["action"], reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done. The action is in the audit log."))
    return redirect("snapshots:moderation_queue")


@staff_member_required
def audit(request: HttpRequest) -> HttpResponse:
    """The audit log, newest first, filtered by action, staff member, account and days (in the
    viewer's time zone); a page costs the same queries however many entries it shows."""
    form = AuditFilterForm(request.GET)
    chosen = form.chosen()
    page = Paginator(auditlog.audit_entries(chosen), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {name: value for name, value in request.GET.items() if name != "page" and value and name in form.fields}
    context = {
        "form": form,
        "page": page,
        "rows": auditlog.audit_rows(page.object_list),
        "filtered": bool(kept),
        "filter_query": urlencode(kept),
        "staff_names": User.objects.filter(is_staff=True).order_by("username").values_list("username", flat=True),
    }
    return render(request, "moderation/audit.html", context)
