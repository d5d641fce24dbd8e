"""Browser lifecycle tied to Celery's worker processes.

The main worker process reaps Chromium left in its profile folders by an earlier, killed
worker; each pool process starts its warm browser before its first task and quits it on exit.
"""

from __future__ import annotations

import logging

from celery.signals import worker_init, worker_process_init, worker_process_shutdown

from capture import browser
from snapshots.tasks.engine import capture_config

log = logging.getLogger(__name__)


@worker_init.connect
def _reap_at_worker_start(**_kwargs) -> None:
    browser.reap_orphans(capture_config())


@worker_process_init.connect
def _prewarm_browser(**_kwargs) -> None:
    config = capture_config()
    browser.reap_orphans(config)
    browser.prewarm(config)


@worker_process_shutdown.connect
def _quit_browser(**_kwargs) -> None:
    browser.shutdown()
