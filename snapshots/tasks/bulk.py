"""Thin Celery tasks of the bulk queue: bookmark imports and scheduled re-captures."""

from __future__ import annotations

from celery import shared_task

from snapshots import queues
from snapshots.archive import scheduling
from snapshots.transfer import importing


@shared_task(name=queues.IMPORT_TASK, acks_late=True, reject_on_worker_lost=True)
def import_bookmarks(job_id: int) -> str:
    job = importing.import_job_run(job_id)
    return job.status if job else "missing"


@shared_task(name=queues.BULK_SWEEP_TASK)
def bulk_sweep() -> dict[str, int]:
    """Beat: re-enqueue imports the broker never got, and request due re-captures."""
    return {
        "imports": importing.import_jobs_sweep(),
        "recaptures": scheduling.recaptures_enqueue_due(),
    }
