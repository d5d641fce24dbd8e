"""Pages the owner saved in their own browser: vetting the file, and saving it as a snapshot.

Three ways in, one write path (`page_upload`): the SingleFile extension's REST upload (API,
token), a saved `.html`/`.mhtml` file on the add page, and the bookmarklet's "as I see it" page.
The file is hostile. It is refused above UPLOAD_MAX_BYTES and when it is no HTML page (zip
archives, including SingleFile's self-extracting and zip formats, are refused by their bytes,
whatever they are named); otherwise it is kept as the snapshot's `upload` artifact, never
parsed in the web process, and rendered by a capture worker with scripts off.

An upload for a URL the owner already saved becomes a new version of that link.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.models import User
from snapshots.archive import lifecycle
from snapshots.links.services import LinkExists, clean_link_url, link_create
from snapshots.models import Link, Snapshot

_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header, an empty archive's end record
_SNIFF = 64 * 1024
_HTML_SIGNS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title")
_MHTML_EXTENSIONS = (".mhtml", ".mht")


def read_upload(handle, filename: str = "") -> lifecycle.UploadedFile:
    """The file's bytes and format, or ValidationError (keyed on `file`) saying why it is refused.

    `handle` is an open file (Django's UploadedFile); at most UPLOAD_MAX_BYTES + 1 bytes are read.
    """
    limit = settings.UPLOAD_MAX_BYTES
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            {"file": [_("The page is larger than %(size)s, the largest the site accepts.")
                      % {"size": filesizeformat(limit)}]},
            code="too_large",
        )
    if not data.strip():
        raise ValidationError({"file": [_("The file is empty.")]}, code="empty")
    if any(signature in data for signature in _ZIP_SIGNATURES):
        raise ValidationError(
            {"file": [_("Zip archives are not accepted (SingleFile's zip and self-extracting formats included): "
                        "save the page as plain HTML.")]},
            code="zip",
        )
    head = data[:_SNIFF]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Windows saves some pages so
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.lower()
    if filename.lower().endswith(_MHTML_EXTENSIONS) or _is_mhtml(head):
        if b"text/html" not in data:
            raise ValidationError({"file": [_("The MHTML file holds no web page.")]}, code="not_html")
        return lifecycle.UploadedFile(data, "mhtml")
    if not any(sign in head for sign in _HTML_SIGNS):
        raise ValidationError(
            {"file": [_("The file is not a web page: upload an .html or .mhtml file.")]}, code="not_html"
        )
    return lifecycle.UploadedFile(data, "html")


def _is_mhtml(head: bytes) -> bool:
    return b"multipart/related" in head[:8192] and b"mime-version" in head[:8192]


def page_upload(
    *, owner: User, url: str, upload: lifecycle.UploadedFile, tags: Iterable[str] = (), title: str = ""
) -> Snapshot:
    """Save `upload` as a snapshot of `url`: a new link, or a new version of the owner's link.

    A new link counts against the save limits like any save (LinkRateExceeded); a new version
    of a saved link is a capture the owner asked for, which waits its turn when over the rate.
    """
    normalized = clean_link_url(url)
    existing = Link.objects.filter(owner=owner, url=normalized).first()
    if existing is None:
        try:
            with transaction.atomic():
                link = link_create(owner=owner, url=url, tags=tags, title=title, capture=False)
                return lifecycle.snapshot_request(link=link, trigger=Snapshot.Trigger.SAVE, upload=upload)
        except LinkExists as exc:  # saved meanwhile by another request
            existing = exc.existing
    return lifecycle.snapshot_request(link=existing, trigger=Snapshot.Trigger.MANUAL, upload=upload)
