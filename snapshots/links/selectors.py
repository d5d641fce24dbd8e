"""Read paths. Each is scoped to an owner (or, in sharing, to a share) and fetches in constant queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from taggit.models import Tag

from accounts.models import User
from snapshots.access import shared_links
from snapshots.models import Link, Snapshot, http_error_rank
from snapshots.search.query import search_links, search_shared
from snapshots.search.ranked import RankedResults, newest_first


def latest_snapshots_prefetch() -> Prefetch:
    """All snapshots of each link, newest first, in one extra query for the whole page; the page
    texts and bookkeeping the API does not show stay in the database."""
    unshown = ("text", "reader_text", "description", "timings", "sizes", "note_reasons", "error_params")
    return Prefetch("snapshots", queryset=Snapshot.objects.defer(*unshown).order_by("-created", "-id"))


def newest_success_prefetch(lookup: str = "snapshots") -> Prefetch:
    """Each link's newest succeeded snapshot (at most one, page text deferred) as `.shown`; one
    whose page answered without an HTTP error goes before a newer error page."""
    finished = Snapshot.objects.filter(status=Snapshot.Status.SUCCEEDED).defer("text", "description")
    ordered = finished.annotate(erred=http_error_rank()).order_by("erred", "-created", "-id")
    return Prefetch(lookup, queryset=ordered[:1], to_attr="shown")


def link_list(
    *,
    owner: User,
    tag: str | None = None,
    tag_id: int | None = None,
    query: str | None = None,
    fields: tuple[str, ...] = (),
) -> QuerySet[Link] | RankedResults:
    """The owner's links, newest first or ranked by `query`; `fields` limits the columns read.

    A tag is given by name (any case) or, when the caller already knows it, by id (one join
    fewer; without a query its page is then found like a search class's, see `newest_first`,
    and the caller knows its count). Nothing is prefetched: pages build rows with
    `rows.link_rows`, the API its own.
    """
    links = Link.objects.filter(owner=owner)
    if fields:
        links = links.only(*fields)
    if tag_id is not None and not query:
        return newest_first(links, links.filter(tagged_items__tag_id=tag_id))
    if tag_id is not None:
        links = links.filter(tagged_items__tag_id=tag_id)
    elif tag:
        links = links.filter(tags__name__iexact=tag)
    if query:
        # Last: ranked results are sliced and counted, not filtered further.
        links = search_links(links, query)
    return links


def with_api_prefetch(links):
    """The API shows each link's tags and every snapshot: two extra queries a page."""
    return links.prefetch_related("tags", latest_snapshots_prefetch())


def shared_link_list(*, share, query: str | None = None) -> QuerySet[Link]:
    """A share's links, newest first; with `query`, only those whose visible text matches, title
    matches first. Pages and the feed build their rows with `rows.link_rows` (one more query).
    """
    links = shared_links(share).only("id", "url", "title", "description", "created", "owner_id").order_by(
        "-created", "-id"
    )
    return search_shared(links, query) if query else links


def tag_names(*, owner_id: int) -> QuerySet[str]:
    """Names of the tags on the owner's links, alphabetical (no counts: cheaper)."""
    return (
        Tag.objects.filter(snapshots_taggedlink_items__content_object__owner_id=owner_id)
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)
    )


def tag_merge_moves(*, owner: User, sources: list[str], target: str) -> int | None:
    """How many of the owner's links carry one of `sources` (names, any case) when `target` is
    already a different tag of theirs, so renaming or merging into it would join the two; None
    when the target is new to them (a plain rename). Two queries, whatever the number of links."""
    target_key = target.strip().casefold()
    names = [name.strip() for name in sources if name.strip() and name.strip().casefold() != target_key]
    own = Link.objects.filter(owner=owner)
    if not names or not own.filter(tags__name__iexact=target.strip()).exists():
        return None
    carrying = Q()
    for name in names:
        carrying |= Q(tags__name__iexact=name)
    return own.filter(carrying).distinct().count()
