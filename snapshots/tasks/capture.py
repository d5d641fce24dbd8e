"""The capture task: claim the snapshot, run the engine, store the outcome.

The engine returns the page's own failures (unresponsive, never settled, ...) as results,
stored as final at once; only TransientCaptureError, our browser breaking, and a storage that
cannot be written are tried again, and so is a page answering 429 or 503. Its
text (chromedriver's words, stack addresses) goes to the log, never into the snapshot.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.storage import default_storage

from capture.engine import capture
from capture.reasons import TIMED_OUT
from capture.results import TransientCaptureError
from capture.sources.upload import UploadedPage
from snapshots import queues
from snapshots.archive import dispatch, lifecycle
from snapshots.archive.reasons import BROWSER_FAILED
from snapshots.storage.blobs import StorageWriteError
from snapshots.tasks.engine import capture_config

log = logging.getLogger(__name__)


@shared_task(
    name=queues.CAPTURE_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CAPTURE_SOFT_TIME_LIMIT,
    time_limit=settings.CAPTURE_HARD_TIME_LIMIT,
    max_retries=settings.CAPTURE_MAX_ATTEMPTS,
)
def capture_snapshot(self, snapshot_id: int) -> str:
    snapshot = lifecycle.snapshot_start(snapshot_id, task_id=self.request.id or "")
    if snapshot is None:
        return "skipped"
    try:
        config = capture_config(hide_overlays=not snapshot.link.keep_as_served)
        result = capture(snapshot.link.url, config, _uploaded_page(snapshot))
    except SoftTimeLimitExceeded:
        lifecycle.snapshot_fail(snapshot_id, TIMED_OUT, {"seconds": settings.CAPTURE_SOFT_TIME_LIMIT})
        return "failed"
    except TransientCaptureError as exc:
        log.warning("capture %s: browser failed on attempt %s", snapshot_id, snapshot.attempts, exc_info=exc)
        if snapshot.attempts >= settings.CAPTURE_MAX_ATTEMPTS:
            lifecycle.snapshot_fail(snapshot_id, BROWSER_FAILED, {})
            return "failed"
        lifecycle.snapshot_requeue(snapshot_id)
        raise self.retry(exc=exc, countdown=2**snapshot.attempts) from exc
    if lifecycle.http_answer_retried(snapshot, result):
        # 429 or 503: the site asks us to come back later. The next delivery counts its attempt
        # and runs under the same deadline; the last one keeps the answer as evidence.
        log.info("capture %s: page answered %s on attempt %s", snapshot_id, result.http_status, snapshot.attempts)
        raise self.retry(countdown=2**snapshot.attempts)
    try:
        finished = lifecycle.snapshot_finish(snapshot_id, result)
    except StorageWriteError as exc:
        # Storage is down (disk full or read-only, bucket unreachable): say so on the row now
        # and try the whole capture again later, rather than leave it running until the sweeper.
        log.warning("capture %s: could not store its artifacts on attempt %s: %s", snapshot_id, snapshot.attempts, exc)
        attempts_left = snapshot.attempts < settings.CAPTURE_MAX_ATTEMPTS
        lifecycle.snapshot_storage_failed(snapshot_id, attempts_left)
        if not attempts_left:
            return "failed"
        raise self.retry(countdown=settings.STORAGE_RETRY_DELAY * 2 ** (snapshot.attempts - 1)) from exc
    return finished.status if finished else "skipped"


def _uploaded_page(snapshot) -> UploadedPage | None:
    """The page the owner saved in their own browser, for a snapshot made from one."""
    if snapshot.source != snapshot.Source.BROWSER:
        return None
    name = (snapshot.artifacts or {}).get("upload", "")
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    except OSError:
        log.warning("capture %s: its uploaded page is gone from storage", snapshot.pk)
        data = b""  # the engine fails it as unreadable, with that reason shown
    return UploadedPage(data, "mhtml" if name.lower().endswith(".mhtml") else "html")


@shared_task(name=queues.SWEEP_TASK)
def sweep_snapshots() -> dict[str, int]:
    return lifecycle.sweep()


@shared_task(name=queues.RELEASE_TASK)
def release_waiting() -> int:
    """Beat: hand out the waiting captures that the owners' shares and budgets allow now."""
    return dispatch.release_waiting()
