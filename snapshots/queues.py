"""Queue and task names, and sending a task by name.

The names are a contract with messages already queued during a deploy: never rename one. Web
pages, the API and the write paths send tasks through `send()` by name, so nothing outside
`snapshots.tasks` imports a task module, and through it the capture engine.
"""

from __future__ import annotations

import ast
import json
import logging

import redis
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


# Where kombu's Redis transport keeps messages: a list per queue (one more per priority step,
# named queue + "\x06\x16" + step) and one hash of messages handed to a worker but not yet
# acknowledged.
_STEPS = (0, 3, 6, 9)
_UNACKED = "unacked"


def _keys(queue: str) -> list[str]:
    return [f"{queue}\x06\x16{step}" if step else queue for step in _STEPS]


def _broker() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5)


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each queue, and (as "unacked") those with a worker not yet acknowledged.
    Raises redis.RedisError when the broker cannot be read."""
    with _broker().pipeline(transaction=False) as pipe:
        for queue in QUEUES:
            for key in _keys(queue):
                pipe.llen(key)
        pipe.hlen(_UNACKED)
        *lengths, unacked = pipe.execute()
    steps = len(_STEPS)
    counts = {queue: sum(lengths[i * steps : (i + 1) * steps]) for i, queue in enumerate(QUEUES)}
    return {**counts, "unacked": unacked}


def _capture_id(message: dict) -> int | None:
    headers = message.get("headers") or {}
    if headers.get("task") != CAPTURE_TASK:
        return None
    try:
        args = ast.literal_eval(headers.get("argsrepr") or "()")
        return int(args[0])
    except (ValueError, SyntaxError, IndexError, TypeError):
        return None


def held_capture_ids() -> set[int] | None:
    """Snapshot ids of the capture messages the broker holds now (waiting in a queue, or with a
    worker and not yet acknowledged); None when the broker cannot be read.

    A queued snapshot whose message is not among them was lost with the broker's data (a Redis
    restarted without its files, or flushed): the sweeper publishes it again at once instead of
    waiting out the visibility timeout. Fair dispatch keeps these lists short (a message or two
    per user), so reading them whole is cheap.
    """
    names = [key for queue in (CAPTURE_QUEUE, BULK_QUEUE) for key in _keys(queue)]
    try:
        with _broker().pipeline(transaction=True) as pipe:
            for name in names:
                pipe.lrange(name, 0, -1)
            pipe.hvals(_UNACKED)
            *waiting, unacked = pipe.execute()
    except redis.RedisError as exc:
        log.warning("could not read the broker's queues (%s)", exc)
        return None
    messages = [json.loads(raw) for queue in waiting for raw in queue]
    messages += [json.loads(raw)[0] for raw in unacked]
    return {found for message in messages if (found := _capture_id(message)) is not None}
