"""Artifact files in the configured storage: where they go, listing a set of snapshots' files, deleting them.

Artifacts live under their content hash (`blobs/`, shared and counted: snapshots.storage.blobs);
those stored before that in one folder per owner, link and version (`snapshot_folder`); uploads
of imports in `imports/<owner>/`. On a bucket there are no folders to clean up.
Deleting a file also removes the folders it leaves empty, so a deleted link,
version or account leaves no empty folder behind; the area folders (`snapshots/`, `imports/`)
stay. Deleting happens after the database change has committed (callers use `on_commit`), so a
rolled-back delete never loses files and a failed file delete only leaves an orphan behind.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import PurePosixPath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db.models import QuerySet

from snapshots.models import Snapshot

log = logging.getLogger(__name__)

SNAPSHOTS_AREA = "snapshots"
IMPORTS_AREA = "imports"


def snapshot_folder(owner_id: int, link_id: int, snapshot_id: int) -> str:
    return f"{SNAPSHOTS_AREA}/{owner_id}/{link_id}/{snapshot_id}"


def owner_folders(owner_id: int) -> list[str]:
    """Every folder that holds files of one owner."""
    return [f"{SNAPSHOTS_AREA}/{owner_id}", f"{IMPORTS_AREA}/{owner_id}"]


def artifact_names(snapshots: QuerySet[Snapshot]) -> list[str]:
    names: list[str] = []
    for artifacts in snapshots.values_list("artifacts", flat=True):
        names.extend(n for n in (artifacts or {}).values() if n)
    return names


def delete_artifact_files(names: Iterable[str]) -> None:
    """Delete the files, then every folder they leave empty (deepest first, below the area folder)."""
    deleted: list[str] = []
    for name in names:
        try:
            default_storage.delete(name)
        except Exception as exc:  # noqa: BLE001 - any storage's failure leaves an orphan, never an error
            log.warning("could not delete artifact %s: %s", name, exc)
            continue
        deleted.append(name)
    remove_empty_folders(deleted)


def remove_empty_folders(names: Iterable[str]) -> None:
    """Remove the folders of these deleted files that are now empty; nothing on a bucket, which has none."""
    folders: set[PurePosixPath] = set()
    for name in names:
        folder = PurePosixPath(name).parent
        while len(folder.parts) > 1:
            folders.add(folder)
            folder = folder.parent
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        _remove_if_empty(str(folder))


def delete_folder(folder: str) -> None:
    """Delete a folder with everything in it, files no row names included (an owner's, once the owner is gone)."""
    try:
        subfolders, names = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for subfolder in subfolders:
        delete_folder(f"{folder}/{subfolder}")
    delete_artifact_files(f"{folder}/{name}" for name in names)
    _remove_if_empty(folder)


def _remove_if_empty(folder: str) -> None:
    try:
        os.rmdir(default_storage.path(folder))
    except (NotImplementedError, SuspiciousFileOperation, OSError):
        # A storage without folders, a name that is not ours, a folder still holding other
        # versions, links or files, or one already gone: all mean leave it.
        return
