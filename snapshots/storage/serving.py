"""How archived artifacts leave the site: streamed by our views with headers that make them inert.

Archived HTML is attacker-authored. `Content-Security-Policy: sandbox` (no allow-scripts, no
allow-same-origin) gives it an opaque origin with no script, and `default-src 'none'` with only
inline/data: styles, images and fonts stops every network request it could make. PDFs cannot be
rendered by the browser's viewer inside a CSP sandbox, so they are sent as `application/pdf`
with `nosniff` only: the PDF viewer runs no page script on our origin.

A download leaves those headers behind: opened from disk, a file runs whatever scripts it holds.
A page the reader uploaded (`upload`) is kept as it was sent, scripts and all: it is viewed only
under the sandbox, and its download is always plain text.
The engine stores the DOM and SVG files inert (scripts removed, and a script-forbidding policy
in the DOM's head) and says so in their names (`INERT_MARK`); such a file stored before that
is downloaded as plain text instead, so it opens in a text editor. That decision is taken from
the name alone: the web process never parses archived markup.

With a bucket, the web streams from it (it never needs a worker's disk); images and PDFs may go
to the reader straight from the bucket through a presigned URL lasting at most a minute.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from snapshots.models import Snapshot

ARCHIVE_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline' data:; img-src data:; "
    "font-src data:; media-src data:; form-action 'none'; frame-ancestors {ancestors}; base-uri 'none'"
)
OWNER_CACHE = "private, max-age=3600"
# Shared artifacts revalidate every time so that pausing or rotating a share takes effect at once.
SHARED_CACHE = "private, no-cache"
_CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "dom": "text/plain; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "pdf": "application/pdf",
    "reader": "text/html; charset=utf-8",
}
_EXTENSIONS = {"html": "html", "dom": "dom.html", "text": "txt", "pdf": "pdf", "reader": "reader.html"}
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|]+')
# Most file systems allow 255 bytes a name; the title leaves room for " - YYYY-MM-DD.reader.html.txt".
FILENAME_TITLE_BYTES = 200
# capture.artifacts.INERT_MARK, spelled out: web processes must not load the engine.
INERT_MARK = ".inert"
TEXT = "text/plain; charset=utf-8"
# What a bucket may serve straight to the reader through a presigned URL (see _may_redirect).
REDIRECTABLE = frozenset({"image/webp", "image/png", "image/jpeg", "image/gif", "image/avif", "application/pdf"})
PRESIGNED_MAX_AGE = 60


def runs_script_from_disk(kind: str, name: str) -> bool:
    """True for a file that would run script opened from disk: an upload, always (it is kept as the
    reader sent it), and a DOM or SVG file stored before the engine made such files inert."""
    base = PurePosixPath(name).name
    if kind == "upload":
        return True
    return (kind == "dom" or base.lower().endswith(".svg")) and INERT_MARK not in base


def content_type_for(kind: str, name: str) -> str:
    if kind == "upload":
        # Viewed only under ARCHIVE_CSP's sandbox. HTML without a charset, so that the page's own
        # meta charset decides (an upload may be GBK); an MHTML archive is shown as its text.
        return "text/html" if name.lower().endswith(".html") else TEXT
    if kind in _CONTENT_TYPES:
        return _CONTENT_TYPES[kind]
    guessed, _encoding = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def _may_redirect(kind: str, name: str) -> bool:
    """Raster images and PDFs of a bucket may be fetched from it directly, unless SNAPSHOT_HOST serves them.

    Those need none of our sandbox headers: an image runs no script, and a PDF is sent with
    nosniff only anyway. Markup, SVG and `original` (whatever the page sent) are always ours to stream.
    """
    if settings.SNAPSHOT_HOST or not hasattr(default_storage, "bucket_name") or kind == "original":
        return False
    return content_type_for(kind, name) in REDIRECTABLE


def _presigned_redirect(name: str, content_type: str) -> HttpResponseRedirect:
    """A redirect to a presigned URL valid PRESIGNED_MAX_AGE s that forces the type and forbids caching."""
    url = default_storage.url(
        name,
        parameters={"ResponseContentType": content_type, "ResponseCacheControl": "no-store"},
        expire=PRESIGNED_MAX_AGE,
    )
    response = HttpResponseRedirect(url)
    # The redirect itself carries the grant: neither it nor the URL may be kept or passed on.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _safe_title(title: str) -> str:
    """A title fit for a file name on any system: no path or reserved characters, no control or
    direction-changing characters, at most FILENAME_TITLE_BYTES of UTF-8 (a Chinese character is three)."""
    kept = "".join(" " if unicodedata.category(char).startswith(("C", "Z")) else char for char in title)
    kept = " ".join(_UNSAFE_FILENAME.sub(" ", kept).split())
    cut = kept.encode()[:FILENAME_TITLE_BYTES].decode(errors="ignore")
    # Windows drops trailing dots and spaces, and a leading dot hides the file elsewhere.
    return cut.strip(" .")


def download_name(snapshot: Snapshot, kind: str, stored_name: str) -> str:
    """A readable file name from the page title (Chinese titles kept), e.g. `报告 - 2026-11-25.pdf`.

    Dated in the active time zone, which is the viewer's (linkhome/viewerzone.py): a page
    captured at 23:30 UTC is saved by a reader in Shanghai under the next day's date.
    """
    title = _safe_title(snapshot.title or snapshot.link.title or "") or "snapshot"
    stamp = timezone.localtime(snapshot.finished or snapshot.created).strftime("%Y-%m-%d")
    extension = _EXTENSIONS.get(kind) or stored_name.rsplit(".", 1)[-1]
    return f"{title} - {stamp}.{extension}"


def artifact_response(
    snapshot: Snapshot,
    kind: str,
    *,
    download: bool = False,
    frame_ancestors: str = "'self'",
    cache_control: str = OWNER_CACHE,
) -> HttpResponse:
    """Stream one artifact with headers that keep it inert; 404 when it was never stored.

    From a bucket, a raster image or PDF viewed (not downloaded) is a redirect to a presigned
    URL instead: the access check has been made by the caller, and the URL lasts a minute.
    """
    name = (snapshot.artifacts or {}).get(kind)
    if kind not in Snapshot.ARTIFACT_KINDS or not name:
        raise Http404
    if not download and _may_redirect(kind, name):
        return _presigned_redirect(name, content_type_for(kind, name))
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = content_type_for(kind, name)
    filename = download_name(snapshot, kind, name) if download else None
    if filename and runs_script_from_disk(kind, name):
        content_type, filename = TEXT, f"{filename}.txt"
    response = FileResponse(handle, content_type=content_type, as_attachment=download, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin" if frame_ancestors == "'self'" else "cross-origin"
    response["Cache-Control"] = cache_control
    if not content_type.startswith("application/pdf"):
        response["Content-Security-Policy"] = ARCHIVE_CSP.format(ancestors=frame_ancestors)
    # Only the archived page is framed (by our viewer); everything else keeps the site-wide DENY.
    if kind == "html" and not download and frame_ancestors == "'self'":
        response["X-Frame-Options"] = "SAMEORIGIN"
    elif frame_ancestors == "'self'":
        response["X-Frame-Options"] = "DENY"
    return response
