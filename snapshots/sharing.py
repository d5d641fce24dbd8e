"""Write paths for shared collections."""

from __future__ import annotations

from accounts.models import User
from snapshots.models import Share


def shares_follow_tag(*, owner: User, old: str, new: str) -> int:
    """Point the owner's shares of tag `old` at `new` (called inside the rename transaction)."""
    return Share.objects.filter(owner=owner, tag_name__iexact=old.strip()).update(tag_name=new)
