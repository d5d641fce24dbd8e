"""Write paths for shared collections.

A share names a tag, not a list of links, so links the owner tags later appear without a write
here; renames and merges carry the name along inside the tag transaction (`shares_follow_tag`).
The public token is the only credential a visitor holds, so rotating it is how an owner revokes
every copy of the URL at once.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from snapshots.models import DESCRIPTION_MAX_LENGTH, SHARE_TITLE_MAX_LENGTH, Share, TaggedLink
from snapshots.textclean import clean_line, clean_text

# 24 random bytes = 192 bits, comfortably above the 128 bits an unguessable URL needs.
TOKEN_BYTES = 24


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _owner_tag_name(owner: User, tag: str) -> str:
    """The owner's spelling of `tag`; sharing a tag the owner does not use is a mistake, not a share."""
    name = (
        TaggedLink.objects.filter(content_object__owner=owner, tag__name__iexact=(tag or "").strip())
        .values_list("tag__name", flat=True)
        .first()
    )
    if name is None:
        raise ValidationError({"tag": [_("You have no links with this tag.")]})
    return name


def _clean_title(title: str) -> str:
    value = clean_line(title or "", SHARE_TITLE_MAX_LENGTH)
    if not value:
        raise ValidationError({"title": [_("Give the collection a title.")]})
    return value


def _clean_expires(expires: datetime | None) -> datetime | None:
    if expires is not None and expires <= timezone.now():
        raise ValidationError({"expires": [_("The expiry must be in the future.")]})
    return expires


def share_create(
    *, owner: User, tag: str, title: str, description: str = "", expires: datetime | None = None
) -> Share:
    """Publish one of the owner's tags as a collection under a fresh token."""
    return Share.objects.create(
        owner=owner,
        tag_name=_owner_tag_name(owner, tag),
        title=_clean_title(title),
        description=clean_text(description or "")[:DESCRIPTION_MAX_LENGTH],
        expires=_clean_expires(expires),
        token=new_token(),
    )


@transaction.atomic
def share_update(*, share: Share, data: dict[str, Any]) -> Share:
    """Apply a partial update by the owner. Moderation is not the owner's to change (see moderation.py)."""
    if "title" in data:
        share.title = _clean_title(data["title"])
    if "description" in data:
        share.description = clean_text(data["description"] or "")[:DESCRIPTION_MAX_LENGTH]
    if "expires" in data:
        share.expires = _clean_expires(data["expires"])
    if "active" in data:
        share.active = bool(data["active"])
    share.save()
    return share


def share_rotate(*, share: Share) -> Share:
    """Replace the token: the old URL, its feed and every snapshot URL under it stop working now."""
    share.token = new_token()
    share.save(update_fields=["token", "updated"])
    return share


def share_delete(*, share: Share) -> None:
    share.delete()


def profile_collections_set(*, user: User, visible: bool) -> None:
    """Opt in (or out) of listing the user's live collections on their public profile."""
    user.show_collections_on_profile = visible
    user.save(update_fields=["show_collections_on_profile"])
