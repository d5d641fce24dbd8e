"""Import a bookmark file, watch its progress, export links. Thin: parse, call, render."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from snapshots import access
from snapshots.models import ImportJob
from snapshots.transfer import exporting, importing
from snapshots.web import live

RECENT_JOBS = 10
# Seconds before each progress poll, the last repeating: a small file is read within the first
# seconds, so the bar starts quick; a long import is asked about less and less often.
PROGRESS_POLL_DELAYS = (1, *live.POLL_DELAYS)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bookmark file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".html,.htm,text/html"}),
    )
    capture = forms.BooleanField(
        label=gettext_lazy("Capture a snapshot of every imported link (slowly, in the background)"),
        required=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "An HTML bookmark export from a browser, Pinboard or linkding, at most %(size)s."
        ) % {"size": filesizeformat(settings.IMPORT_MAX_BYTES)}


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = importing.import_job_create(
                owner=request.user, upload=form.cleaned_data["file"], capture=form.cleaned_data["capture"]
            )
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages))
        else:
            messages.success(request, _("Import started. You can leave this page; it continues in the background."))
            return redirect("snapshots:import_detail", job_id=job.pk)
    jobs = ImportJob.objects.filter(owner=request.user).defer("skipped")[:RECENT_JOBS]
    return render(request, "imports/import_start.html", {"form": form, "jobs": jobs})


def _progress_context(request: HttpRequest, job: ImportJob) -> dict[str, object]:
    """The job and its poller: the next round after a growing delay while the job runs, none once it has finished."""
    poll = live.next_poll(
        reverse("snapshots:import_progress", args=[job.pk]),
        round_=live.poll_round(request.GET),
        active=job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
        delays=PROGRESS_POLL_DELAYS,
    )
    return {"job": job, "poll": poll}


@login_required
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access.get_import_job_for_user(request.user, job_id)
    return render(request, "imports/import_detail.html", _progress_context(request, job))


@login_required
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress fragment, polled by htmx until the job has finished."""
    job = access.get_import_job_for_user(request.user, job_id)
    return render(request, "imports/_progress.html", _progress_context(request, job))


@login_required
def export_download(request: HttpRequest) -> HttpResponse:
    return exporting.export_response(
        owner=request.user, kind=request.GET.get("format", "netscape"), absolute=request.build_absolute_uri
    )
