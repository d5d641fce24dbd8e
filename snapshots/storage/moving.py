"""Moving every stored file from the disk (MEDIA_ROOT) to the bucket (AWS_* settings) or back.

Names do not change (a storage name means the same file on either side), so no row is touched:
each file the database names is copied when the target lacks it or holds other bytes, checked by
size, and only then deleted from the source. Stopped at any point, a run is resumed by running it
again: what was moved is found at the target and skipped. Stop the workers while it runs, then
switch the setting (AWS_STORAGE_BUCKET_NAME set, or not) and start them again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage, storages

from snapshots.models import ImportJob, Snapshot, StoredFile
from snapshots.storage import blobs

log = logging.getLogger(__name__)

TO_BUCKET = "to-bucket"
TO_DISK = "to-disk"
CHUNK = 1 << 20


@dataclass
class MoveCounts:
    moved: int = 0
    present: int = 0  # already at the target (moved by an earlier run)
    missing: int = 0  # named by a row, on neither side
    bytes: int = 0


def disk_storage() -> Storage:
    return storages.create_storage(settings.DISK_STORAGE)


def bucket_storage() -> Storage:
    if not settings.BUCKET_STORAGE["OPTIONS"].get("bucket_name"):
        raise ImproperlyConfigured("set AWS_STORAGE_BUCKET_NAME (and the other AWS_* settings) to name the bucket")
    return storages.create_storage(settings.BUCKET_STORAGE)


def stored_names() -> Iterator[str]:
    """Every name the database holds: shared files, older per-snapshot files, kept import uploads."""
    yield from StoredFile.objects.order_by("pk").values_list("name", flat=True).iterator()
    for artifacts in Snapshot.objects.order_by("pk").values_list("artifacts", flat=True).iterator():
        yield from sorted(n for n in (artifacts or {}).values() if n and not blobs.is_blob(n))
    yield from ImportJob.objects.exclude(upload="").order_by("pk").values_list("upload", flat=True).iterator()


def _same_size(storage: Storage, name: str, size: int) -> bool:
    try:
        return storage.size(name) == size
    except (FileNotFoundError, OSError):
        return False


def _move_one(source: Storage, target: Storage, name: str, counts: MoveCounts) -> None:
    if not source.exists(name):
        if target.exists(name):
            counts.present += 1
        else:
            counts.missing += 1
            log.warning("%s is named by a row but stored on neither side", name)
        return
    size = source.size(name)
    if not _same_size(target, name, size):
        with source.open(name, "rb") as handle:
            saved = target.save(name, handle)
        if saved != name or not _same_size(target, name, size):
            raise OSError(f"{name}: the copy at the target is not whole; nothing deleted, run again")
    source.delete(name)
    counts.moved += 1
    counts.bytes += size


def artifacts_move(direction: str, progress: Callable[[MoveCounts], None] | None = None) -> MoveCounts:
    """Move every named file `to-bucket` or `to-disk`; see the module text."""
    if direction not in (TO_BUCKET, TO_DISK):
        raise ValueError(f"direction is {TO_BUCKET} or {TO_DISK}")
    disk, bucket = disk_storage(), bucket_storage()
    source, target = (disk, bucket) if direction == TO_BUCKET else (bucket, disk)
    counts = MoveCounts()
    seen: set[str] = set()
    for name in stored_names():
        if name in seen:
            continue
        seen.add(name)
        _move_one(source, target, name, counts)
        if progress is not None and (counts.moved + counts.present) % 500 == 0:
            progress(counts)
    return counts
