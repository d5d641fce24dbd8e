"""The one call every write path makes after changing links, so search and the list page follow.

A link's search document (title, tags, URL, description, notes, newest page text) and the
owner's cached tag bar and link total are copies of link data. Writes that go around
`Model.save()` — bulk_create, queryset update() and delete() — send no signals, so a signal
handler would miss exactly the bulk paths (imports, tag renames); each write path calls
`link_changed` instead, and this module alone knows what has to follow a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction

from snapshots.models import Link
from snapshots.search import indexing, listcache


def link_changed(
    *,
    owner_id: int,
    link_ids: Iterable[int] = (),
    body: bool = True,
    listing: bool = True,
    created: Sequence[tuple[Link, Sequence[str]]] = (),
) -> None:
    """Refresh the search documents of the owner's changed links and forget the owner's list cache.

    Call it inside the transaction of the write: the documents are written in it (a rollback
    takes them back with the links) and the cache is forgotten once it has committed, so a
    page read in between cannot cache the old facts again.

    - `link_ids`: links whose data changed; deleted links need none (their documents go with
      them), only the cache is forgotten.
    - `body=False`: the edit cannot change page text (title, tags, notes), so each document
      keeps its stored body instead of re-reading the newest snapshot.
    - `listing=False`: the change cannot alter the owner's tag bar or link total (a finished
      capture, an edit that leaves the tags alone), so the cached list facts stay.
    - `created`: links just inserted in bulk, with their tag names. They have no page text yet,
      so their documents are built from what is in hand, without reading anything back.
    """
    if created:
        indexing.search_documents_create(links=created)
    ids = list(link_ids)
    if ids:
        indexing.search_document_refresh(link_ids=ids, body=body)
    if listing:
        transaction.on_commit(lambda: listcache.forget(owner_id))
