"""Reader copies added to snapshots after their capture (the backfill of older snapshots)."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction

from snapshots.archive.lifecycle import TEXT_DB_LIMIT
from snapshots.models import Snapshot
from snapshots.search.changes import link_changed
from snapshots.storage.blobs import blob_hold
from snapshots.textclean import clean_text


def snapshots_without_reader(owner_id: int | None = None) -> list[int]:
    """Ids of succeeded snapshots that have a stored page to read but no reader copy, oldest first."""
    found = Snapshot.objects.filter(status=Snapshot.Status.SUCCEEDED).order_by("pk")
    if owner_id is not None:
        found = found.filter(owner_id=owner_id)
    return [
        pk for pk, artifacts in found.values_list("pk", "artifacts")
        if not (artifacts or {}).get("reader") and ((artifacts or {}).get("html") or (artifacts or {}).get("dom"))
    ]


def stored_page(snapshot: Snapshot) -> bytes | None:
    """The stored page a reader copy is made from: the offline copy (images inline), else the DOM."""
    for kind in ("html", "dom"):
        name = (snapshot.artifacts or {}).get(kind)
        if not name:
            continue
        try:
            with default_storage.open(name, "rb") as handle:
                return handle.read()
        except OSError:
            continue
    return None


def reader_attach(snapshot_id: int, data: bytes, filename: str, text: str) -> bool:
    """Store a reader copy for a snapshot that has none yet, and index its text; False if it went away."""
    with transaction.atomic():
        locked = Snapshot.objects.select_for_update().filter(pk=snapshot_id).first()
        if locked is None or (locked.artifacts or {}).get("reader"):
            return False
        # Stored by content hash like every artifact (and charged to the owner like them).
        name = blob_hold(data, filename)
        locked.artifacts = {**(locked.artifacts or {}), "reader": name}
        locked.sizes = {**(locked.sizes or {}), "reader": len(data)}
        locked.stored_bytes += len(data)
        locked.reader_text = clean_text(text)[:TEXT_DB_LIMIT]
        locked.save(update_fields=["artifacts", "sizes", "stored_bytes", "reader_text"])
        link_changed(owner_id=locked.owner_id, link_ids=[locked.link_id], listing=False)
    return True
