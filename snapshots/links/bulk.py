"""Write paths for many of an owner's links at once (the list's bulk actions).

Each action runs in one transaction over at most BULK_MAX links, chosen by id among the
owner's own: ids of other users' links, or of links that are gone, are left out, so an action
never reaches past its owner. Each returns how many links it changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from accounts.models import User
from snapshots.archive import lifecycle
from snapshots.links.tagging import clean_tag_names, tag_get_or_create
from snapshots.models import LINK_TAGS_MAX, Link, Snapshot, TaggedLink
from snapshots.search.changes import link_changed
from snapshots.storage import blobs, files

BULK_MAX = 500  # links one action may touch: a bounded transaction, a bounded page of ids


def clean_bulk_ids(values: Iterable[object]) -> list[int]:
    """Distinct positive ids from form or API input; refuses more than BULK_MAX (ValidationError)."""
    ids: list[int] = []
    for value in values:
        try:
            number = int(str(value))
        except ValueError:
            continue
        if number > 0:
            ids.append(number)
    ids = list(dict.fromkeys(ids))
    if len(ids) > BULK_MAX:
        raise ValidationError(
            _("Choose at most %(limit)d links at a time.") % {"limit": BULK_MAX}, code="too_many_links"
        )
    return ids


def owned_ids(*, owner: User, link_ids: Sequence[int]) -> list[int]:
    """Of `link_ids`, those of the owner's links (others' and missing ones left out), in one query."""
    if not link_ids:
        return []
    return list(Link.objects.filter(owner=owner, pk__in=link_ids[:BULK_MAX]).values_list("pk", flat=True))


def links_tag(*, owner: User, link_ids: Sequence[int], add: Iterable[str] = (), remove: Iterable[str] = ()) -> int:
    """Add and remove tags on the owner's chosen links. A link that would pass LINK_TAGS_MAX
    keeps the tags it has and gains none (it is not counted as changed)."""
    add_names = clean_tag_names(add)
    remove_keys = {name.strip().casefold() for name in remove if name.strip()}
    with transaction.atomic():
        ids = owned_ids(owner=owner, link_ids=link_ids)
        if not ids or not (add_names or remove_keys):
            return 0
        current: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
        for link_id, tag_id, name in TaggedLink.objects.filter(content_object_id__in=ids).values_list(
            "content_object_id", "tag_id", "tag__name"
        ):
            current[link_id].append((tag_id, name))
        removed = [
            (link_id, tag_id)
            for link_id, tags in current.items()
            for tag_id, name in tags
            if name.casefold() in remove_keys
        ]
        for link_id, tag_id in removed:
            current[link_id] = [t for t in current[link_id] if t[0] != tag_id]
        if removed:
            TaggedLink.objects.filter(_pairs_query(removed)).delete()
        added = _add_tags(current, add_names)
        changed = sorted({link for link, _tag in removed} | added)
        if changed:
            Link.objects.filter(pk__in=changed).update(updated=timezone.now())
            link_changed(owner_id=owner.pk, link_ids=changed, body=False)
        return len(changed)


def _pairs_query(pairs: list[tuple[int, int]]) -> Q:
    """(link, tag) pairs as one condition: one term per tag (few), not one per pair."""
    by_tag: dict[int, list[int]] = {}
    for link_id, tag_id in pairs:
        by_tag.setdefault(tag_id, []).append(link_id)
    query = Q(pk__in=[])
    for tag_id, link_ids in by_tag.items():
        query |= Q(tag_id=tag_id, content_object_id__in=link_ids)
    return query


def _add_tags(current: dict[int, list[tuple[int, str]]], names: list[str]) -> set[int]:
    """Tag each link with the names it lacks, within LINK_TAGS_MAX; returns the links changed."""
    if not names:
        return set()
    tags: list[Tag] = [tag_get_or_create(name) for name in names]
    rows, changed = [], set()
    for link_id, held in current.items():
        held_keys = {name.casefold() for _id, name in held}
        missing = [tag for tag in tags if tag.name.casefold() not in held_keys]
        if not missing or len(held) + len(missing) > LINK_TAGS_MAX:
            continue
        rows.extend(TaggedLink(content_object_id=link_id, tag=tag) for tag in missing)
        changed.add(link_id)
    TaggedLink.objects.bulk_create(rows)
    return changed


def links_mark(*, owner: User, link_ids: Sequence[int], unread: bool) -> int:
    """Mark the owner's chosen links read or unread; returns how many changed."""
    with transaction.atomic():
        ids = owned_ids(owner=owner, link_ids=link_ids)
        changing = list(
            Link.objects.filter(pk__in=ids).exclude(unread=unread).values_list("pk", flat=True)
        )
        if changing:
            Link.objects.filter(pk__in=changing).update(unread=unread, updated=timezone.now())
            link_changed(owner_id=owner.pk, link_ids=changing, body=False, listing=False)
        return len(changing)


def links_recapture(*, owner: User, link_ids: Sequence[int]) -> int:
    """Ask for a new capture of each chosen link that has none waiting or running.

    The captures start `waiting` with the bulk trigger: the dispatcher hands them out within
    the owner's concurrency and CAPTURE_BULK_PER_MINUTE, like an import's, so a bulk action
    never jumps the per-user limits or the queue of what the owner asks for one by one.
    """
    unfinished = Snapshot.objects.filter(link=OuterRef("pk")).exclude(status__in=Snapshot.FINISHED)
    with transaction.atomic():
        ids = owned_ids(owner=owner, link_ids=link_ids)
        links = list(
            Link.objects.filter(pk__in=ids).exclude(Exists(unfinished)).only("id", "owner_id").order_by("-created")
        )
        lifecycle.snapshots_request_bulk(links=links, trigger=Snapshot.Trigger.BULK)
        return len(links)


def links_delete(*, owner: User, link_ids: Sequence[int]) -> int:
    """Delete the owner's chosen links; files no other snapshot shares go after commit."""
    with transaction.atomic():
        ids = owned_ids(owner=owner, link_ids=link_ids)
        if not ids:
            return 0
        names = files.artifact_names(Snapshot.objects.filter(link_id__in=ids))
        Link.objects.filter(pk__in=ids).delete()
        blobs.blobs_release(names)
        link_changed(owner_id=owner.pk)
        return len(ids)
