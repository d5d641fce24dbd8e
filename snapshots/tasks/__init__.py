"""Thin Celery tasks: they take ids, re-fetch rows and call a write path.

Celery's autodiscovery imports this package, which registers every task module. Each task keeps
the name it was first registered under (`snapshots.queues`), so messages queued before a
deploy still find it. Web pages, the API and the write paths never import this package (the
import contracts say so): they send tasks by name with `queues.send()`.
"""

from snapshots.tasks import bulk, capture, reader, worker_hooks

__all__ = ["bulk", "capture", "reader", "worker_hooks"]
