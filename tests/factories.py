"""Test data, built one way everywhere: plain functions that make rows (and artifact files).

Links go through the write path (`services.link_create`, no capture queued), so URLs, tags and
the search index are what production stores; `make_links` goes around it for long lists.
Snapshots are rows marked the way a capture leaves them: the capture engine has its own tests.
The users are the fixed cast of fixtures in tests/conftest.py.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from taggit.models import Tag

from accounts.models import User
from snapshots.links import services
from snapshots.models import URL_MAX_LENGTH, ImportJob, Link, Report, Share, Snapshot, TaggedLink
from snapshots.search.changes import link_changed
from snapshots.sharing import shares
from snapshots.storage.files import snapshot_folder
from snapshots.transfer import skips

_serial = itertools.count(1)

PLAIN_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><table><tr><th>指标</th><th>2025</th></tr><tr><td>财政收入</td><td>8,765</td></tr></table>
</body></html>"""


def _ago(minutes: float) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)


def make_link(
    owner: User,
    url: str | None = None,
    *,
    tags: Iterable[str] = (),
    title: str = "",
    text: str = "",
    stored: bool = False,
    **fields,
) -> Link:
    """A link saved through the write path, without queueing a capture.

    `text`: add a succeeded snapshot holding that page text, indexed like a finished capture.
    `stored`: add a succeeded snapshot whose artifact files are written (`make_stored_snapshot`).
    Other keywords (notes, description, unread, created) go to `services.link_create`.
    """
    url = url or f"https://example.com/{owner.username}/{next(_serial)}"
    link = services.link_create(owner=owner, url=url, tags=tags, title=title, capture=False, **fields)
    if text:
        make_snapshot(link, text=text)
    if stored:
        make_stored_snapshot(link)
    return link


def make_links(
    owner: User, count: int, *, tags: tuple[str, ...] = ("政府", "报告"), start: int = 0
) -> list[Link]:
    """Bulk-create `count` links, newest first, each with the given tags and one finished snapshot.

    Going around the services keeps a 200-link fixture fast; the services have their own tests.
    Nothing is indexed for search, and the owner's cached tag bar is not forgotten.
    """
    now = timezone.now()
    links = Link.objects.bulk_create(
        Link(
            owner=owner,
            url=f"https://example.com/{owner.username}/{i}",
            title=f"报告 {i}",
            created=now - timedelta(minutes=i),
        )
        for i in range(start, start + count)
    )
    tag_rows = [Tag.objects.get_or_create(name=name, defaults={"slug": f"t-{name}"})[0] for name in tags]
    TaggedLink.objects.bulk_create(TaggedLink(content_object=link, tag=tag) for link in links for tag in tag_rows)
    Snapshot.objects.bulk_create(
        Snapshot(link=link, owner=owner, status=Snapshot.Status.SUCCEEDED, artifacts={"thumbnail": "t.webp"})
        for link in links
    )
    return links


def make_snapshot(
    link: Link,
    *,
    status: str = Snapshot.Status.SUCCEEDED,
    text: str = "",
    artifacts: dict[str, str] | None = None,
    minutes_ago: float | None = None,
    **fields,
) -> Snapshot:
    """One version of a link as a capture leaves it; no file is written.

    `artifacts` maps kinds to storage names as given; `minutes_ago` back-dates its creation. A
    finished one gets a finish time, and a succeeded one the hash of its text and a fresh search
    document, as the capture's write path gives them. Other keywords are Snapshot fields.
    """
    if status in Snapshot.FINISHED:
        fields.setdefault("finished", timezone.now())
    if status == Snapshot.Status.SUCCEEDED:
        fields.setdefault("content_hash", hashlib.sha256(text.encode()).hexdigest())
    snapshot = Snapshot.objects.create(
        link=link, owner_id=link.owner_id, status=status, text=text, artifacts=artifacts or {}, **fields
    )
    if minutes_ago is not None:
        snapshot.created = _ago(minutes_ago)
        Snapshot.objects.filter(pk=snapshot.pk).update(created=snapshot.created)
    if status == Snapshot.Status.SUCCEEDED:
        link_changed(owner_id=link.owner_id, link_ids=[link.pk])
    return snapshot


PDF_TIME = time.strptime("2026-01-01", "%Y-%m-%d")


def image_bytes(fmt: str, color: tuple[int, int, int], size: tuple[int, int] = (320, 200)) -> bytes:
    buffer = io.BytesIO()
    # A PDF is stamped with the moment it is written unless told otherwise: the same picture
    # makes the same bytes, as the engine's PDFs do.
    stamps = {"creationDate": PDF_TIME, "modDate": PDF_TIME} if fmt == "PDF" else {}
    Image.new("RGB", size, color).save(buffer, fmt, **stamps)
    return buffer.getvalue()


def make_stored_snapshot(link: Link, *, html: str | None = None, title: str = "") -> Snapshot:
    """A succeeded snapshot with html, thumbnail (WebP), screenshot (PNG), PDF and text files in default_storage.

    `html` replaces the plain archived page (a table of figures under the title).
    """
    title = title or link.title or "报告"
    snapshot = make_snapshot(link, title=title, final_url=link.url)
    prefix = snapshot_folder(link.owner_id, link.pk, snapshot.pk)
    files = {
        "html": ("page.html", (html or PLAIN_HTML.format(title=title)).encode()),
        "thumbnail": ("thumb.webp", image_bytes("WEBP", (31, 111, 235))),
        "screenshot": ("screenshot.png", image_bytes("PNG", (240, 240, 230), (800, 1200))),
        "pdf": ("page.pdf", image_bytes("PDF", (255, 255, 255))),
        "text": ("page.txt", f"{title}\n财政收入 8,765".encode()),
    }
    snapshot.artifacts = {
        kind: default_storage.save(f"{prefix}/{name}", ContentFile(data)) for kind, (name, data) in files.items()
    }
    snapshot.save(update_fields=["artifacts"])
    return snapshot


def make_share(owner: User, *, tag: str = "报告", title: str = "政府报告合集", **fields) -> Share:
    """One of the owner's tags published through the write path; keywords: description, expires."""
    return shares.share_create(owner=owner, tag=tag, title=title, **fields)


def make_report(share: Share, link: Link | None = None, *, reason: str = Report.Reason.SPAM, **fields) -> Report:
    """A visitor's open complaint about a share, or about one link in it."""
    return Report.objects.create(share=share, link=link, reason=reason, **fields)


# One bookmark an import skips for each reason: the pages word each in the reader's language.
SKIP_SAMPLES = (
    ("https://example.com/again", skips.DUPLICATE, None),
    ("https://example.com/saved", skips.EXISTS, None),
    ("javascript:alert(1)", skips.INVALID_URL, {"error": "bad_scheme"}),
    ("", skips.INVALID_URL, {"error": "required"}),
    ("http://127.0.0.1:8000/admin", skips.INVALID_URL, {"error": "address_not_allowed"}),
    ("https://example.com/" + "a" * 100, skips.INVALID_URL, {"error": "too_long", "n": f"{URL_MAX_LENGTH:,}"}),
)


def make_import_job(
    owner: User,
    *,
    upload: str = "imports/bookmarks.html",
    minutes_ago: float | None = None,
    running_for_minutes: float | None = None,
    skipped: int = 0,
) -> ImportJob:
    """A queued import of an upload (the file itself is not written); `minutes_ago` back-dates it,
    `running_for_minutes` makes it a job whose run began that long ago, `skipped` a finished job
    that skipped that many bookmarks, for each reason in turn (worded by the page that shows them)."""
    job = ImportJob.objects.create(owner=owner, upload=upload)
    if skipped:
        job.status, job.total, job.done, job.finished = ImportJob.Status.SUCCEEDED, skipped, skipped, timezone.now()
        job.skipped = [
            skips.skip_entry(line=10 + i, url=url, code=code, params=params)
            for i, (url, code, params) in zip(range(skipped), itertools.cycle(SKIP_SAMPLES), strict=False)
        ]
        job.save()
    if minutes_ago is not None:
        job.created = _ago(minutes_ago)
        ImportJob.objects.filter(pk=job.pk).update(created=job.created)
    if running_for_minutes is not None:
        job.status, job.started = ImportJob.Status.RUNNING, _ago(running_for_minutes)
        ImportJob.objects.filter(pk=job.pk).update(status=job.status, started=job.started)
    return job


def bookmark_file(count: int, *, folder: str = "大文件") -> bytes:
    """A browser-style bookmark file of `count` links in one folder."""
    rows = "\n".join(
        f'<DT><A HREF="https://example.com/{i}" ADD_DATE="{1_600_000_000 + i}">第{i}条</A>' for i in range(count)
    )
    return f"<DL><p><DT><H3>{folder}</H3><DL><p>\n{rows}\n</DL><p></DL>".encode()


def bookmark_upload(data: bytes, name: str = "bookmarks.html") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/html")


def make_tag(name: str) -> Tag:
    """A tag that no link uses (yet)."""
    return Tag.objects.create(name=name, slug=f"t-{name}")
