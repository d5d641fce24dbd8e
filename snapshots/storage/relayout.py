"""Moving artifacts stored before content hashing into the shared, counted layout (snapshots.storage.blobs).

One snapshot at a time, in its own transaction: its old files are read, held as blobs (a file
already stored by hash only gains a reference), the row is pointed at the new names, and the old
files are deleted once that has committed. Stopped at any point, a run leaves every snapshot
either wholly old or wholly new, so running it again goes on where it stopped. A file that is
missing keeps its old name on the row (nothing to move), and is counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.db import transaction

from snapshots.models import Snapshot
from snapshots.storage import blobs, files

log = logging.getLogger(__name__)

BATCH = 200


@dataclass
class RelayoutCounts:
    snapshots: int = 0
    files: int = 0
    missing: int = 0
    collected: int = 0


def _legacy_names(artifacts: dict | None) -> dict[str, str]:
    return {kind: name for kind, name in (artifacts or {}).items() if name and not blobs.is_blob(name)}


def _relayout_one(snapshot_id: int, counts: RelayoutCounts) -> None:
    with transaction.atomic():
        snapshot = Snapshot.objects.select_for_update().filter(pk=snapshot_id).first()
        if snapshot is None:
            return
        legacy = _legacy_names(snapshot.artifacts)
        moved: list[str] = []
        artifacts = dict(snapshot.artifacts)
        for kind, name in sorted(legacy.items(), key=lambda item: item[1]):
            try:
                with default_storage.open(name, "rb") as handle:
                    data = handle.read()
            except FileNotFoundError:
                counts.missing += 1
                continue
            artifacts[kind] = blobs.blob_hold(data, PurePosixPath(name).name)
            moved.append(name)
        if not moved:
            return
        snapshot.artifacts = artifacts  # the sizes, and so the bytes charged, stay as they were
        snapshot.save(update_fields=["artifacts"])
        transaction.on_commit(lambda: files.delete_artifact_files(moved))
    counts.snapshots += 1
    counts.files += len(moved)


def artifacts_relayout(progress: Callable[[RelayoutCounts], None] | None = None) -> RelayoutCounts:
    """Move every snapshot's old-layout files to the hashed layout, then delete unreferenced files."""
    counts = RelayoutCounts()
    after = 0
    while True:
        rows = list(
            Snapshot.objects.filter(pk__gt=after).order_by("pk").values_list("pk", "artifacts")[:BATCH]
        )
        if not rows:
            break
        for snapshot_id, artifacts in rows:
            if _legacy_names(artifacts):
                _relayout_one(snapshot_id, counts)
        after = rows[-1][0]
        if progress is not None:
            progress(counts)
    counts.collected = blobs.blobs_collect()
    return counts
