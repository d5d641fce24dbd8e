"""Write paths for links and tags. Every function is keyword-only and runs in one transaction.

Capture-related writes (requesting, starting and finishing snapshots) are in `snapshots.archive.lifecycle`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from accounts.models import User
from snapshots.archive import lifecycle
from snapshots.links.tagging import clean_tag_names, tag_get_or_create
from snapshots.links.urlnorm import check_saveable, normalize_url
from snapshots.models import (
    DESCRIPTION_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Link,
    Share,
    Snapshot,
    TaggedLink,
)
from snapshots.search.changes import link_changed
from snapshots.storage import files
from snapshots.textclean import clean_line, clean_text


class LinkExists(ValidationError):
    """The owner already saved this URL; `existing` is that link."""

    def __init__(self, existing: Link):
        super().__init__(
            {"url": [_("You already saved this link (#%(id)s).") % {"id": existing.pk}]},
            code="duplicate",
        )
        self.existing = existing


def _clean_fields(
    *, title: str | None, description: str | None, notes: str | None
) -> dict[str, str]:
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
        raise ValidationError({"url": exc.messages}, code=getattr(exc, "code", None)) from None
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
    created: datetime | None = None,
    capture: bool = True,
    trigger: str = Snapshot.Trigger.SAVE,
) -> Link:
    """Save a link and (by default) queue its first capture once the transaction commits."""
    normalized = clean_link_url(url)
    try:
        tag_names = clean_tag_names(tags)
    except ValidationError as exc:
        raise ValidationError({"tags": exc.messages}) from None
    fields = _clean_fields(title=title, description=description, notes=notes)
    existing = Link.objects.filter(owner=owner, url=normalized).first()
    if existing is not None:
        raise LinkExists(existing)
    try:
        with transaction.atomic():
            link = Link.objects.create(
                owner=owner, url=normalized, unread=unread, created=created or timezone.now(), **fields
            )
            if tag_names:
                link.tags.set(tag_names)
            link_changed(owner_id=owner.pk, link_ids=[link.pk])
            if capture:
                lifecycle.snapshot_request(link=link, trigger=trigger)
    except IntegrityError:
        existing = Link.objects.filter(owner=owner, url=normalized).first()
        if existing is None:
            raise
        raise LinkExists(existing) from None
    return link


@transaction.atomic
def link_update(*, link: Link, data: dict[str, Any]) -> Link:
    """Apply a partial update: only the keys present in `data` change."""
    if "url" in data:
        normalized = clean_link_url(data["url"])
        if normalized != link.url:
            clash = Link.objects.filter(owner=link.owner, url=normalized).exclude(pk=link.pk).first()
            if clash is not None:
                raise LinkExists(clash)
            link.url = normalized
    fields = _clean_fields(
        title=data.get("title"), description=data.get("description"), notes=data.get("notes")
    )
    for name, value in fields.items():
        setattr(link, name, value)
    if "unread" in data:
        link.unread = bool(data["unread"])
    if "recapture" in data:
        link.recapture = data["recapture"] or ""
        link.next_capture_at = lifecycle.next_scheduled_capture(link.recapture)
    link.save()
    if "tags" in data:
        try:
            link.tags.set(clean_tag_names(data["tags"]))
        except ValidationError as exc:
            raise ValidationError({"tags": exc.messages}) from None
    link_changed(owner_id=link.owner_id, link_ids=[link.pk], body=False)
    return link


def link_delete(*, link: Link) -> None:
    """Delete the link; its artifact files go once the deletion has committed."""
    names = files.artifact_names(Snapshot.objects.filter(link=link))
    owner_id = link.owner_id
    with transaction.atomic():
        link.delete()
        transaction.on_commit(lambda: files.delete_artifact_files(names))
        link_changed(owner_id=owner_id)


@transaction.atomic
def tag_rename(*, owner: User, old: str, new: str) -> int:
    """Rename (or merge into) a tag across the owner's links only; other users are untouched.

    Returns the number of links touched. Shares of the old tag follow in the same transaction.
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
    items = TaggedLink.objects.filter(tag=source, content_object__owner=owner)
    link_ids = list(items.values_list("content_object_id", flat=True))
    if source.pk == target.pk:
        # A change of case only: the shared Tag row is renamed only if nobody else uses it.
        if not TaggedLink.objects.filter(tag=source).exclude(content_object__owner=owner).exists():
            source.name = target_name
            source.save(update_fields=["name"])
            link_changed(owner_id=owner.pk, link_ids=link_ids, body=False)
        _shares_follow_tag(owner=owner, old=old, new=target_name)
        return len(link_ids)
    already = set(
        TaggedLink.objects.filter(tag=target, content_object_id__in=link_ids).values_list(
            "content_object_id", flat=True
        )
    )
    items.filter(content_object_id__in=already).delete()
    items.exclude(content_object_id__in=already).update(tag=target)
    _shares_follow_tag(owner=owner, old=old, new=target_name)
    if not TaggedLink.objects.filter(tag=source).exists():
        source.delete()
    Link.objects.filter(pk__in=link_ids).update(updated=timezone.now())
    link_changed(owner_id=owner.pk, link_ids=link_ids, body=False)
    return len(link_ids)


def tag_merge(*, owner: User, sources: Iterable[str], target: str) -> int:
    """Merge several of the owner's tags into one; returns links touched."""
    touched = 0
    with transaction.atomic():
        for name in sources:
            if name.strip().casefold() != target.strip().casefold():
                touched += tag_rename(owner=owner, old=name, new=target)
    return touched


def _shares_follow_tag(*, owner: User, old: str, new: str) -> int:
    """Point the owner's shares of tag `old` at `new` (called inside the rename transaction)."""
    return Share.objects.filter(owner=owner, tag_name__iexact=old.strip()).update(tag_name=new)
