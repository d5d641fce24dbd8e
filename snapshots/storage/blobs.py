"""Artifact files stored once by content hash and shared with reference counts.

A file is named `blobs/<h[:2]>/<h[2:4]>/<sha256>.<suffix>`, the suffix taken from the engine's
file name (`webp`, `inert.html`, …) so that serving still decides the content type and inertness
from the name alone. The same favicon, an unchanged screenshot on re-capture and the same page
saved by many users are one file with one `StoredFile` row counting the artifacts that name it.

The protocol, safe between many workers and web processes on PostgreSQL and SQLite:

- holding (`blob_hold`, inside the caller's transaction) locks the row, creates it if missing,
  writes the file while the count is 0 (a new file, or one its last holder gave up) or when it is
  missing, and adds one;
- releasing (`blobs_release`, inside the transaction that deletes the rows naming the files) takes
  the counts down, and after commit `blobs_collect` deletes each file whose count is still 0,
  under the same row lock, then its row. A hold and a collect of one file never interleave, so a
  file is never deleted under a new holder; a release that rolls back never loses a file.

Names from before this layout (`snapshots/<owner>/<link>/<snapshot>/…`) have no row; releasing
one deletes its file after commit as before. `manage.py storage_hash` moves them here.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Iterable

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from snapshots.models import StoredFile
from snapshots.storage import files

log = logging.getLogger(__name__)

BLOBS_AREA = "blobs"
_SUFFIX = re.compile(r"^[a-z0-9]+(\.[a-z0-9]+){0,2}$")
# What a storage raises when it cannot write: a read-only or full disk, an unreachable or
# refusing bucket.
STORAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError, Boto3Error)


class StorageWriteError(Exception):
    """An artifact could not be written to storage; the capture can be tried again later."""


def is_blob(name: str) -> bool:
    return name.startswith(f"{BLOBS_AREA}/")


def blob_name(digest: str, filename: str) -> str:
    """`blobs/ab/cd/<digest>.<suffix>`; the suffix is the part of the file name after its first dot."""
    suffix = filename.split(".", 1)[1].lower() if "." in filename else ""
    if not _SUFFIX.match(suffix):
        suffix = "bin"
    return f"{BLOBS_AREA}/{digest[:2]}/{digest[2:4]}/{digest}.{suffix}"


def _locked_row(name: str, size: int) -> StoredFile:
    row = StoredFile.objects.select_for_update().filter(name=name).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return StoredFile.objects.create(name=name, size=size, refs=0)
    except IntegrityError:
        # Another holder created it first; its transaction has committed, so the row is there.
        return StoredFile.objects.select_for_update().get(name=name)


def blob_hold(data: bytes, filename: str) -> str:
    """Store `data` once (or find it stored) and take one reference; the storage name.

    Call inside a transaction: the reference and the snapshot naming the file commit together.
    Raises StorageWriteError when the file cannot be written.
    """
    name = blob_name(hashlib.sha256(data).hexdigest(), filename)
    _hold_named(name, data)
    return name


def _hold_named(name: str, data: bytes) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("blob_hold runs inside the transaction that records the snapshot")
    row = _locked_row(name, len(data))
    try:
        # A held file is normally there; one lost anyway (deleted by hand, a restored disk
        # without it) is written again by the next capture that holds the same bytes.
        if row.refs == 0 or not default_storage.exists(name):
            default_storage.save(name, ContentFile(data))
    except STORAGE_ERRORS as exc:
        raise StorageWriteError(f"{type(exc).__name__}: {exc}") from exc
    StoredFile.objects.filter(pk=row.pk).update(refs=F("refs") + 1)


def blobs_hold(artifacts: dict[str, tuple[str, bytes]]) -> dict[str, str]:
    """`{kind: (filename, data)}` → `{kind: storage name}`, rows locked in name order (no deadlocks).

    One capture holds eight files or so; its rows are created, locked and counted in one
    statement each rather than five per file, which is most of what recording a capture costs.
    The same bytes under two kinds are one file with two references.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("blobs_hold runs inside the transaction that records the snapshot")
    named = {
        kind: blob_name(hashlib.sha256(data).hexdigest(), filename) for kind, (filename, data) in artifacts.items()
    }
    data = {named[kind]: artifacts[kind][1] for kind in artifacts}
    ordered = sorted(data)
    # Rows another holder is creating right now are waited for here, in name order too.
    StoredFile.objects.bulk_create(
        [StoredFile(name=name, size=len(data[name]), refs=0) for name in ordered], ignore_conflicts=True
    )
    rows = StoredFile.objects.select_for_update().filter(name__in=ordered).order_by("name")
    unheld = {row.name for row in rows if row.refs == 0}
    try:
        for name in ordered:
            if name in unheld or not default_storage.exists(name):
                default_storage.save(name, ContentFile(data[name]))
    except STORAGE_ERRORS as exc:
        raise StorageWriteError(f"{type(exc).__name__}: {exc}") from exc
    by_count: dict[int, list[str]] = {}
    for name, count in Counter(named.values()).items():
        by_count.setdefault(count, []).append(name)
    for count, names in by_count.items():
        StoredFile.objects.filter(name__in=names).update(refs=F("refs") + count)
    return named


def blobs_release(names: Iterable[str]) -> None:
    """Give up one reference per name (a name listed twice gives up two); files go after commit."""
    counts = Counter(n for n in names if n)
    hashed = sorted(n for n in counts if is_blob(n))
    legacy = [n for n in counts if not is_blob(n)]
    for name in hashed:
        StoredFile.objects.filter(name=name).update(refs=Greatest(F("refs") - counts[name], 0))

    def collect() -> None:
        blobs_collect(hashed)
        files.delete_artifact_files(legacy)

    transaction.on_commit(collect, robust=True)


def blobs_collect(names: Iterable[str] | None = None) -> int:
    """Delete the files (and rows) of these names, or of every row, no longer referenced; how many."""
    candidates = StoredFile.objects.filter(refs=0)
    if names is not None:
        candidates = candidates.filter(name__in=list(names))
    deleted = 0
    for name in candidates.values_list("name", flat=True).iterator():
        with transaction.atomic():
            row = StoredFile.objects.select_for_update().filter(name=name, refs=0).first()
            if row is None:
                continue  # held again meanwhile
            try:
                default_storage.delete(name)
            except STORAGE_ERRORS as exc:
                # The row stays at 0 and a later collect (manage.py storage_hash) tries again.
                log.warning("could not delete stored file %s: %s", name, exc)
                continue
            row.delete()
            deleted += 1
        files.remove_empty_folders([name])
    return deleted
