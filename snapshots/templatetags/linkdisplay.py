"""Template filters for showing stored links to people."""

from __future__ import annotations

from django import template

from snapshots.archive import reasons
from snapshots.links.urlnorm import display_url
from snapshots.models import ImportJob, Report, Snapshot
from snapshots.transfer.skips import skip_reason

register = template.Library()


@register.filter(name="display_url")
def display_url_filter(url: str) -> str:
    """The stored ASCII URL as a reader expects it (路径, not %E8%B7%AF…); hrefs keep the stored URL."""
    return display_url(url or "")


@register.filter(name="snapshot_error")
def snapshot_error_filter(snapshot: Snapshot) -> str:
    """Why a capture failed, in the reader's language."""
    return reasons.error_text(snapshot)


@register.filter(name="snapshot_note")
def snapshot_note_filter(snapshot: Snapshot) -> str:
    """What to know about a capture, in the reader's language."""
    return reasons.note_text(snapshot)


@register.filter(name="snapshot_reason")
def snapshot_reason_filter(snapshot: Snapshot) -> str:
    """A capture's error, or else its notes, in the reader's language."""
    return reasons.status_text(snapshot)


@register.filter(name="import_error")
def import_error_filter(job: ImportJob) -> str:
    """Why an import failed, in the reader's language."""
    return reasons.error_text(job)


@register.filter(name="skip_reason")
def skip_reason_filter(entry: dict) -> str:
    """Why an import skipped a bookmark, in the reader's language."""
    return skip_reason(entry)


@register.filter(name="status_label")
def status_label_filter(row: Snapshot | ImportJob | Report | None) -> str:
    """A status in words ("Saved", "已保存"), never its stored value ("succeeded")."""
    return reasons.status_label(row)
