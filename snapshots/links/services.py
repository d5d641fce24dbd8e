"""Write paths for links and tags: keyword-only, each write in one transaction (the `clean_*`
helpers only check input, for the forms and the admin too).

Capture-related writes (requesting, starting and finishing snapshots) are in `snapshots.archive.lifecycle`.
"""

from __future__ import annotations

from collections import defaultdict
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
from snapshots.audit import audit_record
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
        raise ValidationError({"url": exc.messages}, code=getattr(exc, "code", None)) from None
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
    recapture: str = Link.Schedule.NONE,
    created: datetime | None = None,
    capture: bool = True,
    trigger: str = Snapshot.Trigger.SAVE,
    actor: User | None = None,
) -> Link:
    """Save a link and (by default) queue its first capture once the transaction commits.

    `actor`: staff saving the link for its owner (the admin); the act is audited.
    """
    normalized = clean_owner_url(owner=owner, url=url)
    try:
        tag_names = clean_tag_names(tags)
    except ValidationError as exc:
        raise ValidationError({"tags": exc.messages}) from None
    fields = clean_link_fields(title=title, description=description, notes=notes)
    try:
        with transaction.atomic():
            link = Link.objects.create(
                owner=owner,
                url=normalized,
                unread=unread,
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

    `actor`: staff editing the owner's link (the admin); the edit is audited with the names of
    the fields given, not their values (notes are private).
    """
    if "url" in data:
        link.url = clean_owner_url(owner=link.owner, url=data["url"], link=link)
    fields = clean_link_fields(
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
    link_changed(owner_id=link.owner_id, link_ids=[link.pk], body=False, listing="tags" in data)
    if actor is not None:
        audit_record(actor=actor, action="link.edit", target=link, details={"fields": sorted(data)})
    return link


def link_delete(*, link: Link, actor: User | None = None) -> None:
    """Delete the link; its artifact files go once the deletion has committed.

    `actor`: staff deleting the owner's link (the admin); the act is audited.
    """
    names = files.artifact_names(Snapshot.objects.filter(link=link))
    owner_id = link.owner_id
    with transaction.atomic():
        if actor is not None:
            # Recorded first: the entry names the link by its id, which deleting clears.
            audit_record(actor=actor, action="link.delete", target=link, details={"owner": owner_id, "url": link.url})
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
