"""Artifact files in the configured storage: listing a set of snapshots' files and deleting them.

Deleting happens after the database change has committed (callers use `on_commit`), so a
rolled-back delete never loses files and a failed file delete only leaves an orphan behind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db.models import QuerySet

from snapshots.models import Snapshot

log = logging.getLogger(__name__)


def artifact_names(snapshots: QuerySet[Snapshot]) -> list[str]:
    names: list[str] = []
    for artifacts in snapshots.values_list("artifacts", flat=True):
        names.extend(n for n in (artifacts or {}).values() if n)
    return names


def delete_artifact_files(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError as exc:
            log.warning("could not delete artifact %s: %s", name, exc)
