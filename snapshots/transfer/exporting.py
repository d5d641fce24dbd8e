"""Exporting a user's links as a Netscape bookmark file or JSON, streamed in chunks.

Both are generators over `iterator(chunk_size=…)` with prefetching, so a 100,000-link export
takes a handful of queries per chunk and never holds every row in memory. The Netscape file
writes tags in the `TAGS` attribute (not folders) so that importing it back restores them
exactly; notes, which the format has no place for, are in the JSON export.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from html import escape

from django.db.models import Prefetch, QuerySet
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from snapshots.models import Link, Snapshot

CHUNK = 1000

NETSCAPE_HEAD = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<!-- This is an automatically generated file. It will be read and overwritten. DO NOT EDIT! -->
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
"""


def _links(owner: User, *, with_snapshots: bool = False) -> QuerySet[Link]:
    links = Link.objects.filter(owner=owner).order_by("created", "id").prefetch_related("tags")
    if not with_snapshots:
        return links
    succeeded = Snapshot.objects.filter(status=Snapshot.Status.SUCCEEDED).only(
        "id", "link_id", "created", "status", "source", "http_status", "artifacts"
    )
    return links.prefetch_related(Prefetch("snapshots", queryset=succeeded.order_by("created", "id")))


def export_netscape(*, owner: User) -> Iterator[str]:
    yield NETSCAPE_HEAD
    for link in _links(owner).iterator(chunk_size=CHUNK):
        stamp = int(link.created.timestamp())
        tags = ",".join(sorted(tag.name for tag in link.tags.all()))
        # Our own attribute, only when set; other programs ignore attributes they do not know.
        as_served = ' KEEP_AS_SERVED="1"' if link.keep_as_served else ""
        yield (
            f'<DT><A HREF="{escape(link.url)}" ADD_DATE="{stamp}" LAST_MODIFIED="{int(link.updated.timestamp())}" '
            f'PRIVATE="1" TOREAD="{int(link.unread)}"{as_served} TAGS="{escape(tags)}">{escape(link.title)}</A>\n'
        )
        if link.description:
            yield f"<DD>{escape(link.description)}\n"
    yield "</DL><p>\n"


def export_json(*, owner: User, absolute: Callable[[str], str]) -> Iterator[str]:
    """`absolute` turns a site path into a full URL (request.build_absolute_uri)."""
    yield '{"version": 1, "exported": ' + json.dumps(timezone.now().isoformat()) + ', "links": [\n'
    first = True
    for link in _links(owner, with_snapshots=True).iterator(chunk_size=CHUNK):
        record = {
            "url": link.url,
            "title": link.title,
            "description": link.description,
            "notes": link.notes,
            "tags": sorted(tag.name for tag in link.tags.all()),
            "unread": link.unread,
            "keep_as_served": link.keep_as_served,
            "created": link.created.isoformat(),
            "updated": link.updated.isoformat(),
            "snapshots": [
                {
                    "id": snap.pk,
                    "created": snap.created.isoformat(),
                    "source": snap.source,
                    "http_status": snap.http_status,
                    "http_error": snap.is_http_error,
                    "url": absolute(reverse("snapshots:snapshot_detail", args=[snap.pk])),
                    "artifacts": {
                        kind: absolute(reverse("snapshots:snapshot_artifact", args=[snap.pk, kind]))
                        for kind, name in sorted((snap.artifacts or {}).items())
                        if name
                    },
                }
                for snap in link.snapshots.all()
            ],
        }
        yield ("" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def export_response(*, owner: User, kind: str, absolute: Callable[[str], str]) -> StreamingHttpResponse:
    """The download for the page and the API alike: `kind` is "json" or anything else for HTML."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    if kind == "json":
        body, content_type, name = export_json(owner=owner, absolute=absolute), "application/json", "json"
    else:
        body, content_type, name = export_netscape(owner=owner), "text/html", "html"
    response = StreamingHttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="linkhome-{stamp}.{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
