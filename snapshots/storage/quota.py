"""How much storage a user uses and may use.

Usage is the LOGICAL size of the user's own artifacts (`Snapshot.stored_bytes`): a file shared
with other snapshots, the user's or anyone's, is charged in full to each. Charging what is
physically stored would tell a user that someone else already saved the same page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum

from snapshots.models import Snapshot

MB = 1024 * 1024


@dataclass(frozen=True)
class StorageUsage:
    used_bytes: int
    quota_bytes: int | None  # None: no limit

    @property
    def used_mb(self) -> str:
        return f"{self.used_bytes / MB:.1f}"

    @property
    def quota_mb(self) -> int | None:
        return None if self.quota_bytes is None else self.quota_bytes // MB

    @property
    def percent(self) -> int | None:
        if not self.quota_bytes:
            return None
        return min(100, round(100 * self.used_bytes / self.quota_bytes))


def quota_bytes(user) -> int | None:
    """The user's own quota if staff set one, else STORAGE_QUOTA_MB; None when it is 0 (no limit)."""
    override = getattr(user, "storage_quota_mb", None)
    mb = settings.STORAGE_QUOTA_MB if override is None else override
    return mb * MB if mb else None


def used_bytes(owner_id: int) -> int:
    total = Snapshot.objects.filter(owner_id=owner_id).aggregate(total=Sum("stored_bytes"))["total"]
    return int(total or 0)


def storage_usage(user) -> StorageUsage:
    return StorageUsage(used_bytes=used_bytes(user.pk), quota_bytes=quota_bytes(user))
