"""Queue and task names, and sending a task by name.

The names are a contract with messages already queued during a deploy: never rename one. Web
pages, the API and the write paths send tasks through `send()` by name, so nothing outside
`snapshots.tasks` imports a task module, and through it the capture engine.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.conf import settings

log = logging.getLogger(__name__)

CAPTURE_QUEUE = "capture"  # captures a person is waiting for
BULK_QUEUE = "bulk"  # captures of imports and scheduled re-captures, paced per owner
IMPORT_QUEUE = "imports"  # reading bookmark files: no browser, bounded by a time limit
MAINTENANCE_QUEUE = "maintenance"  # the sweepers and the pacer: short, never behind a backlog
QUEUES = (CAPTURE_QUEUE, BULK_QUEUE, IMPORT_QUEUE, MAINTENANCE_QUEUE)
# What each kind of worker consumes (bin/run, docker-compose): capture workers hold warm
# browsers; the service worker reads imports. Both take maintenance, so a sweep never waits
# for a busy kind of worker.
CAPTURE_WORKER_QUEUES = (CAPTURE_QUEUE, BULK_QUEUE, MAINTENANCE_QUEUE)
SERVICE_WORKER_QUEUES = (IMPORT_QUEUE, MAINTENANCE_QUEUE)

CAPTURE_TASK = "snapshots.tasks.capture_snapshot"
SWEEP_TASK = "snapshots.tasks.sweep_snapshots"
IMPORT_TASK = "snapshots.tasks_bulk.import_bookmarks"
BULK_SWEEP_TASK = "snapshots.tasks_bulk.bulk_sweep"
RELEASE_TASK = "snapshots.tasks.release_waiting"
READER_BACKFILL_TASK = "snapshots.tasks.reader_backfill"  # needs the capture browser

# Where each task goes when its sender names no queue.
TASK_QUEUES = {
    CAPTURE_TASK: CAPTURE_QUEUE,
    SWEEP_TASK: MAINTENANCE_QUEUE,
    IMPORT_TASK: IMPORT_QUEUE,
    BULK_SWEEP_TASK: MAINTENANCE_QUEUE,
    RELEASE_TASK: MAINTENANCE_QUEUE,
    READER_BACKFILL_TASK: BULK_QUEUE,
}


def send(task_name: str, *args: object, queue: str | None = None) -> bool:
    """Publish a task by name; on broker trouble log and return False (a sweeper retries)."""
    try:
        current_app.send_task(
            task_name,
            args=args,
            queue=queue or TASK_QUEUES[task_name],
            retry=True,
            retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
        )
    except Exception as exc:  # kombu raises many types; all mean "not published now"
        log.warning("%s%r not published (%s); the sweeper will retry", task_name, args, exc)
        return False
    return True
