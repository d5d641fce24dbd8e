"""The preview a link, snapshot or versions page opens on: the screenshot of one snapshot, one
button each to every way of reading it, and its downloads (named by storage.serving, dated in
the viewer's zone). Built from the snapshot row alone: no query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from snapshots.models import Snapshot
from snapshots.storage.signing import artifact_urls


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    url: str
    new_tab: bool = False  # files the browser shows itself (the page, a PDF) open beside our page


@dataclass(frozen=True, slots=True)
class Preview:
    snapshot: Snapshot
    captured: datetime
    page_url: str  # the snapshot's own page (every detail of this version)
    image_url: str  # the full-page screenshot, else the thumbnail; "" when neither was kept
    full_image_url: str  # the screenshot, opened on its own; "" with only a thumbnail
    opens: list[Choice] = field(default_factory=list)
    downloads: list[Choice] = field(default_factory=list)


def preview_of(
    request: HttpRequest, snapshot: Snapshot | None, urls: dict[str, str] | None = None
) -> Preview | None:
    """The preview of a succeeded snapshot, or None (nothing captured yet, or the capture failed)."""
    if snapshot is None or snapshot.status != Snapshot.Status.SUCCEEDED:
        return None
    if urls is None:
        urls = artifact_urls(request, snapshot, viewer_id=request.user.pk)
    opens = []
    if urls.get("reader"):
        opens.append(Choice(_("Reader view"), reverse("snapshots:snapshot_reader", args=[snapshot.pk])))
    for kind, label in (
        ("html", _("Offline copy")),
        ("pdf", "PDF"),
        ("text", _("Text")),
        ("original", _("Original file")),
        ("upload", _("File as uploaded")),
    ):
        if urls.get(kind):
            opens.append(Choice(label, urls[kind], new_tab=True))
    downloads = [
        Choice(label, urls[f"{kind}_download"])
        for kind, label in (
            ("html", _("page (HTML)")),
            ("pdf", "PDF"),
            ("screenshot", _("image")),
            ("text", _("text")),
            ("original", _("original file")),
            ("dom", "DOM"),
        )
        if urls.get(kind)
    ]
    return Preview(
        snapshot=snapshot,
        captured=snapshot.finished or snapshot.created,
        page_url=reverse("snapshots:snapshot_detail", args=[snapshot.pk]),
        image_url=urls.get("screenshot") or urls.get("thumbnail", ""),
        full_image_url=urls.get("screenshot", ""),
        opens=opens,
        downloads=downloads,
    )
