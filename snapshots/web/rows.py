"""What a row of a link list shows (tags, capture status, thumbnail), gathered for a whole page.

One builder serves every list of links: the owner's list and search pages, a share's public
page and its feed. A `RowStyle` says where the rows are shown; a share's rows link to the
share's snapshot pages and never carry the owner's tags, notes or capture status.

A page of links gets its tag names in one query and, per link, the newest snapshot (for the
status badge) and the newest succeeded one, preferring one without an HTTP error (for the
thumbnail), in one more: a window function keeps at most three snapshots a link however many
versions it has, and the page text is never read. Rows carry ready-made strings (URLs,
labels, local dates) so the templates only print them: on a list page Django's template
engine, not SQL, was the larger cost, mostly attribute lookups, `{% url %}` and filters
repeated for every row.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from django.db import connection
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from taggit.models import Tag

from snapshots.archive.reasons import HTTP_ERROR_LABEL, http_error_text, status_label, status_text
from snapshots.links.urlnorm import display_url
from snapshots.models import HTTP_ERROR_MIN, Link, Share, Snapshot, TaggedLink
from snapshots.reversing import url_former
from snapshots.storage.signing import artifact_url

# The columns a row reads; the HTML list pages fetch links with `.only(*LINK_FIELDS)`.
LINK_FIELDS = ("id", "url", "title", "description", "unread", "created", "hidden_by_staff")
DESCRIPTION_CHARS = 300


def _html(text: object) -> SafeString:
    """Text escaped once, here, so the template prints it without escaping each value again.

    The same escaping as Django's `escape()` (which is `html.escape` plus a lazy-string wrapper
    that costs more than the escaping); every text field of a row goes through it.
    """
    return SafeString(html.escape(str(text)))


class _Printable:
    """Lets Django's template engine find fields by subscript, the lookup it tries first.

    Without it every `{{ row.title }}` first raises and catches a TypeError before falling
    back to getattr: about a sixth of the time the rows take to render.
    """

    __slots__ = ()

    def __getitem__(self, name: str) -> object:
        return getattr(self, name)


@dataclass(slots=True)
class StatusBlock(_Printable):
    """The thumbnail and the badge of a link's newest snapshot, polled while unfinished (web/live.py). HTML-escaped."""

    link_id: SafeString
    status: SafeString  # a Snapshot.Status value, or "none" before the first capture
    label: SafeString
    reason: SafeString = SafeString("")
    unfinished: bool = False  # the newest snapshot is waiting, queued or running: the page polls
    snapshot_url: SafeString = SafeString("")
    thumbnail_url: SafeString = SafeString("")
    from_browser: bool = False  # the newest snapshot is a page the owner saved in their own browser
    copy_url: SafeString = SafeString("")  # the saved copy to open: the succeeded snapshot to show
    favicon_url: SafeString = SafeString("")  # the site icon that capture stored, if any


@dataclass(frozen=True, slots=True)
class HttpError(_Printable):
    """A capture whose page answered 4xx or 5xx: a short label ("HTTP 404 error") and the sentence."""

    label: SafeString
    text: SafeString

    @classmethod
    def of(cls, snapshot: Snapshot | None) -> HttpError | None:
        text = http_error_text(snapshot)
        if not text:
            return None
        assert snapshot is not None
        return cls(label=_html(str(HTTP_ERROR_LABEL) % {"status": snapshot.http_status}), text=_html(text))


@dataclass(frozen=True, slots=True)
class RowTag(_Printable):
    name: SafeString
    href: SafeString  # the list filtered by the tag, or a search for it


@dataclass(frozen=True)
class RowStyle:
    """Where rows are shown: the owner's list or search page, or a share's public pages."""

    tag_href: str = "list"  # "list": ?tag=name; "search": ?q=#name
    with_description: bool = True  # search rows show an excerpt instead
    unread_badge: bool = True  # the list marks unread links
    match_badge: bool = False  # search marks title and tag matches
    share: Share | None = None
    request: HttpRequest | None = None  # builds a shared thumbnail's (possibly signed) URL
    thumbnails: bool = True  # a feed shows none, so none are signed
    titles_open_copy: bool = False  # the owner's setting: a title opens the saved copy, when there is one


OWNER_LIST = RowStyle()
OWNER_SEARCH = RowStyle(tag_href="search", with_description=False, unread_badge=False, match_badge=True)


def owner_list(user: object, style: RowStyle = OWNER_LIST) -> RowStyle:
    """The owner's rows as their settings ask (read from the request's user: no query)."""
    return replace(style, titles_open_copy=bool(getattr(user, "list_titles_open_copy", False)))


@dataclass(slots=True)
class LinkRow(_Printable):
    """What a list or search row prints; every text field is already HTML-escaped."""

    link: Link
    pk: SafeString
    url: SafeString
    detail_url: SafeString  # the link's page; on a share, its snapshot's public page ("" if none)
    title: SafeString
    display_url: SafeString
    description: SafeString
    created_iso: SafeString
    created_text: SafeString
    status: StatusBlock | None  # None on a share: visitors see no capture status
    unread: bool = False
    tags: list[RowTag] = field(default_factory=list)
    thumbnail_url: SafeString = SafeString("")  # on a share; the owner's come with `status`
    report_url: SafeString = SafeString("")  # on a share
    excerpt: SafeString = SafeString("")  # built by excerpts.highlight, escaped there
    edit_url: SafeString = SafeString("")  # the owner's row actions; empty on a share
    capture_url: SafeString = SafeString("")
    delete_url: SafeString = SafeString("")
    search_class: int | None = None
    from_browser: bool = False  # on a share: the snapshot shown was saved in the owner's own browser
    http_error: HttpError | None = None  # on a share: the snapshot shown is of an error answer
    unfinished: bool = False  # on a share: its newest capture is still to come (its owner's page polls)
    hidden: bool = False  # the owner's row: staff hid the link from their collections (the link page says why)


@dataclass(frozen=True, slots=True)
class _Urls:
    detail: Callable[[int], str]
    snapshot: Callable[[int], str]
    thumbnail: Callable[[int], str]
    favicon: Callable[[int], str]
    edit: Callable[[int], str]
    capture: Callable[[int], str]
    delete: Callable[[int], str]

    @classmethod
    def build(cls) -> _Urls:
        return cls(
            detail=url_former("snapshots:link_detail"),
            snapshot=url_former("snapshots:snapshot_detail"),
            thumbnail=url_former("snapshots:snapshot_artifact", "thumbnail"),
            favicon=url_former("snapshots:snapshot_artifact", "favicon"),
            edit=url_former("snapshots:link_edit"),
            capture=url_former("snapshots:link_capture"),
            delete=url_former("snapshots:link_delete"),
        )


def status_block(
    link_id: int, latest: Snapshot | None, shown: Snapshot | None, urls: _Urls | None = None
) -> StatusBlock:
    if latest is None:
        return StatusBlock(link_id=_html(link_id), status=_html("none"), label=_html(status_label(None)))
    urls = urls or _Urls.build()
    block = StatusBlock(
        link_id=_html(link_id),
        status=_html(latest.status),
        label=_html(status_label(latest)),
        reason=_html(status_text(latest)),
        from_browser=latest.source == Snapshot.Source.BROWSER,
    )
    if (http_error := HttpError.of(latest)) is not None:
        # Kept as evidence, never shown as a plain success.
        block.status, block.label, block.reason = _html("http-error"), http_error.label, http_error.text
    if not latest.is_finished:
        block.unfinished = True
    thumb = shown or latest
    artifacts = thumb.artifacts or {}
    if artifacts.get("thumbnail"):
        block.snapshot_url = _html(urls.snapshot(thumb.pk))
        block.thumbnail_url = _html(urls.thumbnail(thumb.pk))
    if artifacts.get("favicon"):
        block.favicon_url = _html(urls.favicon(thumb.pk))
    if shown is not None:
        block.copy_url = _html(urls.snapshot(shown.pk))
    return block


# Plain SQL that SQLite and PostgreSQL both run: the ORM spends longer compiling the
# window-and-filter form of this query than the database spends answering it. Succeeded
# captures are ranked apart by whether the page answered an error (4xx, 5xx), so a link whose
# newest capture is an error page still shows its newest good one, in the same one query.
_NEWEST_SQL = """
SELECT id, link_id, status, source, error, error_code, error_params, note, note_reasons, artifacts, http_status,
    rank, rank_in_status FROM (
    SELECT id, link_id, status, source, error, error_code, error_params, note, note_reasons, artifacts,
        http_status, created,
        ROW_NUMBER() OVER (PARTITION BY link_id ORDER BY created DESC, id DESC) AS rank,
        ROW_NUMBER() OVER (
            PARTITION BY link_id, status, CASE WHEN http_status >= %s THEN 1 ELSE 0 END
            ORDER BY created DESC, id DESC
        ) AS rank_in_status
    FROM {table} WHERE link_id IN ({ids})
) AS ranked
WHERE rank = 1 OR (rank_in_status = 1 AND status = %s)
"""


def newest_snapshots(link_ids: Sequence[int]) -> dict[int, tuple[Snapshot | None, Snapshot | None]]:
    """link id → (newest snapshot, the succeeded snapshot to show), in one query.

    The one to show is the newest succeeded capture whose page answered without an HTTP error,
    or else the newest succeeded one (its error shown beside it). The snapshots carry only the
    columns a status block reads (page text is never loaded).
    """
    found: dict[int, list[Snapshot | None]] = {pk: [None, None, None] for pk in link_ids}
    if not found:
        return {}
    sql = _NEWEST_SQL.format(table=Snapshot._meta.db_table, ids=", ".join(["%s"] * len(found)))
    succeeded = Snapshot.Status.SUCCEEDED
    for snap in Snapshot.objects.raw(sql, [HTTP_ERROR_MIN, *found, succeeded]):
        newest = found[snap.link_id]
        if snap.rank == 1:
            newest[0] = snap
        if snap.status == succeeded and snap.rank_in_status == 1:
            newest[2 if snap.is_http_error else 1] = snap
    return {pk: (latest, good or erred) for pk, (latest, good, erred) in found.items()}


def snapshot_to_show(newest_first: Iterable[Snapshot]) -> Snapshot | None:
    """Of a link's snapshots, newest first: the one its page opens, as `newest_snapshots` chooses."""
    succeeded = [snap for snap in newest_first if snap.status == Snapshot.Status.SUCCEEDED]
    return next((snap for snap in succeeded if not snap.is_http_error), succeeded[0] if succeeded else None)


_TAG_NAMES_SQL = """
SELECT tagged.content_object_id, tag.name FROM {tagged} AS tagged JOIN {tag} AS tag ON tag.id = tagged.tag_id
WHERE tagged.content_object_id IN ({ids}) ORDER BY tag.name
"""


def tag_names(link_ids: Sequence[int]) -> dict[int, list[str]]:
    """link id → its tag names, alphabetical, in one query (plain SQL for the reason above)."""
    names: dict[int, list[str]] = defaultdict(list)
    if not link_ids:
        return names
    sql = _TAG_NAMES_SQL.format(
        tagged=TaggedLink._meta.db_table, tag=Tag._meta.db_table, ids=", ".join(["%s"] * len(link_ids))
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(link_ids))
        for link_id, name in cursor.fetchall():
            names[link_id].append(name)
    return names


def _tag_former(style: RowStyle) -> Callable[[str], RowTag]:
    if style.tag_href == "search":
        head = f"{reverse('snapshots:search')}?q=%23"
    else:
        head = f"{reverse('snapshots:link_list')}?tag="
    return lambda name: RowTag(_html(name), _html(head + quote(name, safe="")))


def link_rows(links: Iterable[Link], style: RowStyle = OWNER_LIST) -> list[LinkRow]:
    """Rows for a page of links (already fetched or sliced), in two queries whatever the page size.

    The owner's rows cost one query for the newest snapshots and one for the tag names; a
    share's rows only the first (its visitors see no tags).
    """
    links = list(links)
    ids = [link.pk for link in links]
    if not ids:
        return []
    snapshots = newest_snapshots(ids)
    if style.share is not None:
        return _shared_rows(links, snapshots, style)
    tags, urls, tag = tag_names(ids), _Urls.build(), _tag_former(style)
    rows = []
    for link in links:
        status = status_block(link.pk, *snapshots[link.pk], urls=urls)
        title_url = status.copy_url if style.titles_open_copy and status.copy_url else urls.detail(link.pk)
        row = _row(link, detail_url=title_url, status=status)
        row.unread = style.unread_badge and link.unread
        row.hidden = link.hidden_by_staff
        row.edit_url, row.capture_url = _html(urls.edit(link.pk)), _html(urls.capture(link.pk))
        row.delete_url = _html(urls.delete(link.pk))
        row.tags = [tag(name) for name in tags.get(link.pk, [])]
        row.search_class = getattr(link, "search_class", None) if style.match_badge else None
        if not style.with_description:
            row.description = SafeString("")
        rows.append(row)
    return rows


def _row(link: Link, *, detail_url: str, status: StatusBlock | None) -> LinkRow:
    readable = display_url(link.url)
    created = timezone.localtime(link.created)
    return LinkRow(
        link=link,
        pk=_html(link.pk),
        url=_html(link.url),
        detail_url=_html(detail_url),
        title=_html(link.title or readable),
        display_url=_html(readable),
        description=_html(link.description[:DESCRIPTION_CHARS]),
        created_iso=_html(created.isoformat()),
        created_text=_html(created.strftime("%Y-%m-%d %H:%M")),
        status=status,
    )


def _shared_rows(
    links: list[Link], snapshots: dict[int, tuple[Snapshot | None, Snapshot | None]], style: RowStyle
) -> list[LinkRow]:
    """A share's rows: each link's snapshot to show (see `newest_snapshots`), through the share's URLs."""
    share = style.share
    assert share is not None
    snapshot_page = url_former("snapshots:share_snapshot", lead=(share.token,))
    report = f"{reverse('snapshots:share_report', args=[share.token])}?link="
    rows = []
    for link in links:
        shown = snapshots[link.pk][1]
        row = _row(link, detail_url=snapshot_page(shown.pk) if shown else "", status=None)
        if style.thumbnails and shown is not None and (shown.artifacts or {}).get("thumbnail"):
            row.thumbnail_url = _html(artifact_url(style.request, shown, "thumbnail", share=share))
        row.report_url = _html(f"{report}{link.pk}")
        row.from_browser = shown is not None and shown.source == Snapshot.Source.BROWSER
        row.http_error = HttpError.of(shown)
        row.unfinished = snapshots[link.pk][0] is not None and not snapshots[link.pk][0].is_finished
        rows.append(row)
    return rows
