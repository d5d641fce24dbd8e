"""Write paths that end versions early: cancelling an owner's unfinished captures, deleting versions.

A cancelled capture ends `failed` with the `cancelled` reason. A worker still running it finds
the row finished when it comes to store its result, so `lifecycle.snapshot_finish` stores nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from snapshots.archive import ends, reasons
from snapshots.models import Snapshot
from snapshots.search.changes import link_changed
from snapshots.storage import blobs, files


def snapshots_cancel(*, owner: User) -> int:
    """End the owner's waiting, queued and running captures as cancelled; returns how many."""
    now = timezone.now()
    with transaction.atomic():
        cancelled = Snapshot.objects.filter(
            owner=owner, status__in=(Snapshot.Status.WAITING, *Snapshot.IN_FLIGHT)
        ).update(
            status=Snapshot.Status.FAILED,
            error_code=reasons.CANCELLED,
            error_params={},
            error=reasons.reason_english(reasons.CANCELLED),
            finished=now,
        )
        ended = Snapshot.objects.filter(owner=owner, error_code=reasons.CANCELLED, finished=now)
        ends.announce_after_commit(*ended.values_list("pk", flat=True))
    return cancelled


def snapshots_delete(*, snapshots: QuerySet[Snapshot]) -> None:
    """Delete versions (staff, in the admin); files no other version shares go after commit."""
    names = files.artifact_names(snapshots)
    with transaction.atomic():
        changed = list(snapshots.order_by().values_list("link__owner_id", "link_id").distinct())
        snapshots.delete()
        for owner_id, link_id in changed:
            link_changed(owner_id=owner_id, link_ids=[link_id], listing=False)
        blobs.blobs_release(names)
