"""Thin Celery tasks without a browser: bookmark imports (imports queue) and the bulk sweeper (maintenance)."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from snapshots import queues
from snapshots.archive import scheduling
from snapshots.transfer import importing


@shared_task(
    name=queues.IMPORT_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.IMPORT_SOFT_TIME_LIMIT,
    time_limit=settings.IMPORT_HARD_TIME_LIMIT,
)
def import_bookmarks(job_id: int) -> str:
    try:
        job = importing.import_job_run(job_id)
    except SoftTimeLimitExceeded:
        job = importing.import_job_time_out(job_id)
    return job.status if job else "missing"


@shared_task(name=queues.BULK_SWEEP_TASK)
def bulk_sweep() -> dict[str, int]:
    """Beat: re-enqueue imports the broker never got, end imports whose run died at its time
    limit, and request due re-captures."""
    return {
        "imports": importing.import_jobs_sweep(),
        "imports_timed_out": importing.import_jobs_fail_stale(),
        "recaptures": scheduling.recaptures_enqueue_due(),
    }
