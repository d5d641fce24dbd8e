"""Browser lifecycle tied to Celery's worker processes.

The main worker process reaps Chromium left in its profile folders by an earlier, killed
worker; each pool process of a worker that takes captures starts its warm browser before its
first task and quits it on exit. A capture worker runs at CAPTURE_WORKER_NICE (its browsers lower
still, at CAPTURE_BROWSER_NICE), so that a page someone is waiting for in the web wins the CPU
over a capture's encoding; a service worker (imports, maintenance) starts no browser and runs at
SERVICE_WORKER_NICE.
"""

from __future__ import annotations

import logging
import os

from celery.signals import worker_init, worker_process_init, worker_process_shutdown
from django.conf import settings

from capture import browser
from snapshots import queues
from snapshots.tasks.engine import capture_config

log = logging.getLogger(__name__)

# Set in the main worker process before the pool forks, so every pool process inherits it.
_takes_captures = True


@worker_init.connect
def _reap_at_worker_start(sender=None, **_kwargs) -> None:
    global _takes_captures
    consumed = set(sender.app.amqp.queues.consume_from or sender.app.amqp.queues) if sender else set()
    _takes_captures = not consumed or bool(consumed & {queues.CAPTURE_QUEUE, queues.BULK_QUEUE})
    # The pool processes, forked next, inherit the lower priority.
    nice = settings.CAPTURE_WORKER_NICE if _takes_captures else settings.SERVICE_WORKER_NICE
    os.setpriority(os.PRIO_PROCESS, 0, max(os.getpriority(os.PRIO_PROCESS, 0), nice))
    if _takes_captures:
        browser.reap_orphans(capture_config())


@worker_process_init.connect
def _prewarm_browser(**_kwargs) -> None:
    if not _takes_captures:
        return
    config = capture_config()
    browser.reap_orphans(config)
    browser.prewarm(config)


@worker_process_shutdown.connect
def _quit_browser(**_kwargs) -> None:
    browser.shutdown()
