"""The capture task: claim the snapshot, run the engine, store the outcome.

The engine returns the page's own failures (unresponsive, never settled, ...) as results,
stored as final at once; only TransientCaptureError, our browser breaking, is tried again. Its
text (chromedriver's words, stack addresses) goes to the log, never into the snapshot.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from capture.engine import capture
from capture.reasons import TIMED_OUT
from capture.results import TransientCaptureError
from snapshots import queues
from snapshots.archive import dispatch, lifecycle
from snapshots.archive.reasons import BROWSER_FAILED
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
        result = capture(snapshot.link.url, capture_config())
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
    finished = lifecycle.snapshot_finish(snapshot_id, result)
    return finished.status if finished else "skipped"


@shared_task(name=queues.SWEEP_TASK)
def sweep_snapshots() -> dict[str, int]:
    return lifecycle.sweep()


@shared_task(name=queues.RELEASE_TASK)
def release_waiting() -> int:
    """Beat: hand out the waiting captures that the owners' shares and budgets allow now."""
    return dispatch.release_waiting()
