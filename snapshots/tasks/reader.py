"""Making the reader copy of an older snapshot from its stored page, in the capture browser."""

from __future__ import annotations

import logging

from celery import shared_task

from capture.reader.offline import from_stored
from snapshots import queues
from snapshots.archive.readercopies import reader_attach, stored_page
from snapshots.models import Snapshot
from snapshots.tasks.engine import capture_config

log = logging.getLogger(__name__)


@shared_task(name=queues.READER_BACKFILL_TASK, acks_late=True, soft_time_limit=60, time_limit=90)
def reader_backfill(snapshot_id: int) -> str:
    snapshot = Snapshot.objects.filter(pk=snapshot_id, status=Snapshot.Status.SUCCEEDED).first()
    if snapshot is None or (snapshot.artifacts or {}).get("reader"):
        return "skipped"
    page = stored_page(snapshot)
    if page is None:
        return "no page"
    made = from_stored(page, snapshot.final_url or snapshot.link.url, snapshot.title, snapshot.language,
                       capture_config())
    if made is None:
        return "no main content"
    artifact, text = made
    reader_attach(snapshot_id, artifact.data, artifact.filename, text)
    return "made"
