"""Write paths that remove versions: deleting snapshots with their files and emptied folders."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from snapshots.models import Snapshot
from snapshots.search.changes import link_changed
from snapshots.storage import files


def snapshots_delete(*, snapshots: QuerySet[Snapshot]) -> None:
    """Delete versions (staff, in the admin); their files and emptied folders go after commit."""
    names = files.artifact_names(snapshots)
    with transaction.atomic():
        changed = list(snapshots.order_by().values_list("link__owner_id", "link_id").distinct())
        snapshots.delete()
        for owner_id, link_id in changed:
            link_changed(owner_id=owner_id, link_ids=[link_id], listing=False)
        transaction.on_commit(lambda: files.delete_artifact_files(names))
