"""Write paths for links and tags: keyword-only, each write in one transaction (the `clean_*`
helpers only check input, for the forms and the admin too).

Capture-related writes (requesting, starting and finishing snapshots) are in `snapshots.archive.lifecycle`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from accounts.models import User
from snapshots.archive import lifecycle
from snapshots.audit import audit_record
from snapshots.links.tagging import clean_tag_names, tag_get_or_create
from snapshots.links.urlnorm import check_saveable, normalize_url
from snapshots.models import (
    DESCRIPTION_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    TAG_MERGE_SOURCES_MAX,
    TITLE_MAX_LENGTH,
    Link,
    Share,
    Snapshot,
    TaggedLink,
)
from snapshots.search.changes import link_changed
from snapshots.storage import blobs, files
from snapshots.textclean import clean_line, clean_text

TAG_RENAME_BATCH = 500  # links a tag moves on in one transaction


class LinkExists(ValidationError):
    """The owner already saved this URL; `existing` is that link."""

    def __init__(self, existing: Link):
        super().__init__(
            {"url": [_("You already saved this link (#%(id)s).") % {"id": existing.pk}]},
            code="duplicate",
        )
        self.existing = existing


class LinkRateExceeded(Exception):
    """The owner saved as many links by hand as a minute or an hour allows.

    `retry_after`: seconds until the oldest save in the full window leaves it.
    """

    def __init__(self, limit: int, window: int, retry_after: int):
        if window == MINUTE:
            text = _(
                "You have saved %(limit)d links in the last minute, the most a minute allows. Please wait "
                "a moment, or import many links at once from a bookmark file."
            )
        else:
            text = _(
                "You have saved %(limit)d links in the last hour, the most an hour allows. Please try again later."
            )
        super().__init__(text % {"limit": limit})
        self.retry_after = retry_after


MINUTE, HOUR = 60, 3600


def _saved_by_hand(owner_id: int, since: datetime):
    """The owner's saves by hand (page, bookmarklet, API) since `since`: each asks for one capture
    with the `save` trigger, which imports and staff saves for the owner do not count against."""
    return Snapshot.objects.filter(owner_id=owner_id, trigger=Snapshot.Trigger.SAVE, created__gte=since)


def _check_link_rate(owner: User) -> None:
    """Refuse a save over LINK_RATE_PER_MINUTE or LINK_RATE_PER_HOUR (one query; two when refusing).

    The minute's limit is what keeps one user's burst of saves from taking the web processes
    from everyone else: a refused save costs a few milliseconds, a saved one many times that.
    """
    now = timezone.now()
    limits = [(settings.LINK_RATE_PER_MINUTE, MINUTE), (settings.LINK_RATE_PER_HOUR, HOUR)]
    if not any(limit for limit, _window in limits):
        return
    counts = _saved_by_hand(owner.pk, now - timedelta(seconds=HOUR)).aggregate(
        hour=Count("pk"), minute=Count("pk", filter=Q(created__gte=now - timedelta(seconds=MINUTE)))
    )
    for (limit, window), saved in zip(limits, (counts["minute"], counts["hour"]), strict=True):
        if limit and saved >= limit:
            oldest = _saved_by_hand(owner.pk, now - timedelta(seconds=window)).order_by("created")
            first = oldest.values_list("created", flat=True).first() or now
            wait = max(1, math.ceil((first + timedelta(seconds=window) - now).total_seconds()))
            raise LinkRateExceeded(limit, window, wait)


def clean_link_tags(names: Iterable[str], *, link: Link | None = None) -> list[str]:
    """`clean_tag_names` for a link's tag list, errors keyed on `tags`. An edited `link` over
    LINK_TAGS_MAX from before the limit keeps its tags (its names are read only then)."""
    names = list(names) if link is not None else names
    try:
        return clean_tag_names(names)
    except ValidationError as exc:
        if link is None or exc.code != "too_many_tags":
            raise ValidationError({"tags": exc.messages}) from None
    try:
        return clean_tag_names(names, kept=link.tags.names())
    except ValidationError as exc:
        raise ValidationError({"tags": exc.messages}) from None


def clean_link_fields(
    *, title: str | None, description: str | None, notes: str | None
) -> dict[str, str]:
    """The stored form of the text fields given (None = not given): titles and descriptions are
    cut to what is stored, over-long notes are refused (ValidationError keyed on `notes`)."""
    cleaned: dict[str, str] = {}
    if title is not None:
        cleaned["title"] = clean_line(title, TITLE_MAX_LENGTH)
    if description is not None:
        cleaned["description"] = clean_text(description)[:DESCRIPTION_MAX_LENGTH]
    if notes is not None:
        value = clean_text(notes)
        if len(value) > NOTES_MAX_LENGTH:
            raise ValidationError(
                {"notes": [_("Notes can be at most %(n)d characters.") % {"n": NOTES_MAX_LENGTH}]}
            )
        cleaned["notes"] = value
    return cleaned


def clean_link_url(url: str) -> str:
    """Normalise and vet a URL for saving; raises ValidationError keyed on `url`."""
    try:
        normalized = normalize_url(url)
        check_saveable(normalized)
    except ValidationError as exc:
        # The error itself, not its text: an import keeps its code (and words it in each reader's language).
        raise ValidationError({"url": exc}) from None
    return normalized


def clean_owner_url(*, owner: User, url: str, link: Link | None = None) -> str:
    """`clean_link_url`, and refuse (LinkExists) a URL the owner saved already on a link other than `link`."""
    normalized = clean_link_url(url)
    if link is not None and normalized == link.url:
        return normalized  # unchanged: it cannot clash with another link
    clash = Link.objects.filter(owner=owner, url=normalized)
    if link is not None:
        clash = clash.exclude(pk=link.pk)
    existing = clash.first()
    if existing is not None:
        raise LinkExists(existing)
    return normalized


def link_create(
    *,
    owner: User,
    url: str,
    tags: Iterable[str] = (),
    title: str = "",
    description: str = "",
    notes: str = "",
    unread: bool = False,
    keep_as_served: bool = False,
    recapture: str = Link.Schedule.NONE,
    created: datetime | None = None,
    capture: bool = True,
    trigger: str = Snapshot.Trigger.SAVE,
    actor: User | None = None,
) -> Link:
    """Save a link and (by default) queue its first capture once the transaction commits.

    The owner's own saves are limited to LINK_RATE_PER_MINUTE a minute and LINK_RATE_PER_HOUR an
    hour (LinkRateExceeded), checked first so a refusal costs little.
    `actor`: staff saving the link for its owner (the admin); the act is audited.
    """
    if actor is None:
        _check_link_rate(owner)
    normalized = clean_owner_url(owner=owner, url=url)
    tag_names = clean_link_tags(tags)
    fields = clean_link_fields(title=title, description=description, notes=notes)
    try:
        with transaction.atomic():
            link = Link.objects.create(
                owner=owner,
                url=normalized,
                unread=unread,
                keep_as_served=keep_as_served,
                recapture=recapture or "",
                next_capture_at=lifecycle.next_scheduled_capture(recapture),
                created=created or timezone.now(),
                **fields,
            )
            if tag_names:
                link.tags.set(tag_names)
            link_changed(owner_id=owner.pk, link_ids=[link.pk])
            if actor is not None:
                audit_record(actor=actor, action="link.create", target=link, details={"owner": owner.pk})
            if capture:
                lifecycle.snapshot_request(link=link, trigger=trigger)
    except IntegrityError:
        existing = Link.objects.filter(owner=owner, url=normalized).first()
        if existing is None:
            raise
        raise LinkExists(existing) from None
    return link


@transaction.atomic
def link_update(*, link: Link, data: dict[str, Any], actor: User | None = None) -> Link:
    """Apply a partial update: only the keys present in `data` change.

    A text field sent back as stored is left as it is, so a value stored before today's limits
    never stands in the way of editing the others.
    `actor`: staff editing the owner's link (the admin); the edit is audited with the names of
    the fields given, not their values (notes are private).
    """
    tag_names = clean_link_tags(data["tags"], link=link) if "tags" in data else None
    if "url" in data:
        link.url = clean_owner_url(owner=link.owner, url=data["url"], link=link)
    changed = {
        name: data[name] if data.get(name) != getattr(link, name) else None
        for name in ("title", "description", "notes")
        if name in data
    }
    for name, value in clean_link_fields(**{"title": None, "description": None, "notes": None, **changed}).items():
        setattr(link, name, value)
    if "unread" in data:
        link.unread = bool(data["unread"])
    if "keep_as_served" in data:
        link.keep_as_served = bool(data["keep_as_served"])
    if "recapture" in data:
        link.recapture = data["recapture"] or ""
        link.next_capture_at = lifecycle.next_scheduled_capture(link.recapture)
    link.save()
    if tag_names is not None:
        link.tags.set(tag_names)
    link_changed(owner_id=link.owner_id, link_ids=[link.pk], body=False, listing="tags" in data)
    if actor is not None:
        audit_record(actor=actor, action="link.edit", target=link, details={"fields": sorted(data)})
    return link


def link_delete(*, link: Link, actor: User | None = None) -> None:
    """Delete the link; artifact files no other snapshot shares go once the deletion has committed.

    `actor`: staff deleting the owner's link (the admin); the act is audited.
    """
    names = files.artifact_names(Snapshot.objects.filter(link=link))
    owner_id = link.owner_id
    with transaction.atomic():
        if actor is not None:
            # Recorded first: the entry names the link by its id, which deleting clears.
            audit_record(actor=actor, action="link.delete", target=link, details={"owner": owner_id, "url": link.url})
        link.delete()
        blobs.blobs_release(names)
        link_changed(owner_id=owner_id)


def tag_rename(*, owner: User, old: str, new: str) -> int:
    """Rename (or merge into) a tag across the owner's links only; other users are untouched.

    Returns the number of links touched. The links move in batches of TAG_RENAME_BATCH, each in
    a transaction of its own, so renaming a tag on 100,000 links never holds the database (on
    SQLite, its one writer lock) for long. Stopped halfway, each link has the old tag or the new
    one, and renaming again finishes the job. Shares of the old tag follow at the end.
    """
    names = clean_tag_names([new])
    if not names:
        raise ValidationError({"new": [_("Enter a tag name.")]})
    target_name = names[0]
    source = Tag.objects.filter(name__iexact=old.strip()).first()
    if source is None:
        return 0
    target = tag_get_or_create(target_name)
    if source.pk == target.pk and source.name == target_name:
        return 0
    link_ids = list(
        TaggedLink.objects.filter(tag=source, content_object__owner=owner).values_list("content_object_id", flat=True)
    )
    if source.pk == target.pk:
        # A change of case only: the shared Tag row is renamed only if nobody else uses it.
        with transaction.atomic():
            renamed = not TaggedLink.objects.filter(tag=source).exclude(content_object__owner=owner).exists()
            if renamed:
                source.name = target_name
                source.save(update_fields=["name"])
            _shares_follow_tag(owner=owner, old=old, new=target_name)
        for batch in _batches(link_ids if renamed else []):
            with transaction.atomic():
                link_changed(owner_id=owner.pk, link_ids=batch, body=False)
        return len(link_ids)
    for batch in _batches(link_ids):
        with transaction.atomic():
            items = TaggedLink.objects.filter(tag=source, content_object_id__in=batch)
            already = set(
                TaggedLink.objects.filter(tag=target, content_object_id__in=batch).values_list(
                    "content_object_id", flat=True
                )
            )
            items.filter(content_object_id__in=already).delete()
            items.exclude(content_object_id__in=already).update(tag=target)
            Link.objects.filter(pk__in=batch).update(updated=timezone.now())
            link_changed(owner_id=owner.pk, link_ids=batch, body=False)
    with transaction.atomic():
        _shares_follow_tag(owner=owner, old=old, new=target_name)
        if not TaggedLink.objects.filter(tag=source).exists():
            source.delete()
    return len(link_ids)


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), TAG_RENAME_BATCH):
        yield ids[start : start + TAG_RENAME_BATCH]


def tag_merge(*, owner: User, sources: Iterable[str], target: str) -> int:
    """Merge up to TAG_MERGE_SOURCES_MAX of the owner's tags into one; returns links touched.

    Each source is renamed into the target in short transactions (see `tag_rename`).
    """
    names = list(dict.fromkeys(name.strip() for name in sources if name.strip()))
    if len(names) > TAG_MERGE_SOURCES_MAX:
        raise ValidationError(
            {"sources": [_("Merge at most %(limit)d tags at a time.") % {"limit": TAG_MERGE_SOURCES_MAX}]}
        )
    if not clean_tag_names([target]):
        raise ValidationError({"target": [_("Enter a tag name.")]})
    return sum(
        tag_rename(owner=owner, old=name, new=target)
        for name in names
        if name.casefold() != target.strip().casefold()
    )


def _tagged_links_by_owner(tag: Tag) -> dict[int, list[int]]:
    by_owner: dict[int, list[int]] = defaultdict(list)
    rows = TaggedLink.objects.filter(tag=tag).values_list("content_object__owner_id", "content_object_id")
    for owner_id, link_id in rows:
        by_owner[owner_id].append(link_id)
    return by_owner


@transaction.atomic
def tag_save(*, tag: Tag, actor: User) -> Tag:
    """Staff save a site-wide Tag row (the admin): the links of every owner that carry it are
    re-indexed under the new name, and the act is audited."""
    action = "tag.edit" if tag.pk else "tag.create"
    tag.save()
    for owner_id, link_ids in _tagged_links_by_owner(tag).items():
        link_changed(owner_id=owner_id, link_ids=link_ids, body=False)
    audit_record(actor=actor, action=action, target=tag, details={"name": tag.name})
    return tag


@transaction.atomic
def tag_delete(*, tag: Tag, actor: User) -> None:
    """Staff delete a site-wide Tag row (the admin): it leaves every link that carried it."""
    by_owner = _tagged_links_by_owner(tag)
    audit_record(actor=actor, action="tag.delete", target=tag, details={"name": tag.name})
    tag.delete()
    for owner_id, link_ids in by_owner.items():
        link_changed(owner_id=owner_id, link_ids=link_ids, body=False)


def _shares_follow_tag(*, owner: User, old: str, new: str) -> int:
    """Point the owner's shares of tag `old` at `new` (called inside the rename transaction)."""
    return Share.objects.filter(owner=owner, tag_name__iexact=old.strip()).update(tag_name=new)
