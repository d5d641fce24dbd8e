"""Task names and queues are a contract with messages already queued during a deploy.

A worker started on new code must still find every task an older web process sent by name, on the
queue it was sent to. So the names stay exactly as first registered, whatever module holds the
task now, and each goes to its queue through the router.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from linkhome.celery import app
from snapshots import queues
from snapshots.tasks import bulk, capture, reader

NAMES_AND_QUEUES = {
    "snapshots.tasks.capture_snapshot": "capture",
    "snapshots.tasks.sweep_snapshots": "maintenance",
    "snapshots.tasks.release_waiting": "maintenance",
    "snapshots.tasks.reader_backfill": "bulk",
    "snapshots.tasks_bulk.import_bookmarks": "imports",
    "snapshots.tasks_bulk.bulk_sweep": "maintenance",
}
ALL_QUEUES = ["capture", "bulk", "imports", "maintenance"]


@pytest.fixture(scope="module", autouse=True)
def discovered():
    """Register the tasks the way a worker does when it starts: by autodiscovery."""
    app.loader.import_default_modules()


def _project_tasks() -> set[str]:
    return {name for name in app.tasks if not name.startswith("celery.")}


@pytest.mark.parametrize(("name", "queue"), NAMES_AND_QUEUES.items())
def test_each_task_is_registered_under_its_name_and_routed_to_its_queue(name, queue):
    assert name in app.tasks
    assert app.amqp.router.route({}, name)["queue"].name == queue


def test_no_other_task_is_registered():
    assert _project_tasks() == set(NAMES_AND_QUEUES)


def test_the_queues_module_names_what_is_registered():
    assert {
        queues.CAPTURE_TASK: capture.capture_snapshot.name,
        queues.SWEEP_TASK: capture.sweep_snapshots.name,
        queues.IMPORT_TASK: bulk.import_bookmarks.name,
        queues.BULK_SWEEP_TASK: bulk.bulk_sweep.name,
        queues.RELEASE_TASK: capture.release_waiting.name,
        queues.READER_BACKFILL_TASK: reader.reader_backfill.name,
    } == {name: name for name in NAMES_AND_QUEUES}
    assert queues.TASK_QUEUES == NAMES_AND_QUEUES
    assert list(queues.QUEUES) == ALL_QUEUES
    for name in NAMES_AND_QUEUES:
        assert app.tasks[name].name == name


def test_the_beat_schedule_names_only_registered_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {queues.SWEEP_TASK, queues.BULK_SWEEP_TASK, queues.RELEASE_TASK}
    assert scheduled <= _project_tasks()


def test_the_settings_declare_every_queue():
    assert [queue.name for queue in settings.CELERY_TASK_QUEUES] == ALL_QUEUES
    assert [queue.name for queue in app.conf.task_queues] == ALL_QUEUES
    assert app.conf.task_default_queue == "capture"


def test_the_two_kinds_of_worker_between_them_consume_every_queue():
    """Messages sent to `bulk` by an older release still find a capture worker."""
    assert set(queues.CAPTURE_WORKER_QUEUES) | set(queues.SERVICE_WORKER_QUEUES) == set(ALL_QUEUES)
    assert queues.IMPORT_QUEUE not in queues.CAPTURE_WORKER_QUEUES  # imports never take a browser's slot
    assert {queues.CAPTURE_QUEUE, queues.BULK_QUEUE}.isdisjoint(queues.SERVICE_WORKER_QUEUES)
    assert queues.MAINTENANCE_QUEUE in queues.CAPTURE_WORKER_QUEUES
    assert queues.MAINTENANCE_QUEUE in queues.SERVICE_WORKER_QUEUES


def test_docker_compose_starts_the_same_two_kinds_of_worker():
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    assert f'"-Q", "{",".join(queues.CAPTURE_WORKER_QUEUES)}"' in compose
    assert f'"-Q", "{",".join(queues.SERVICE_WORKER_QUEUES)}"' in compose


def test_a_worker_finds_the_tasks_and_the_browser_hooks_by_autodiscovery():
    """No CELERY_IMPORTS: what a starting worker loads, before its `worker_init` signal, is enough."""
    probe = (
        "import sys; from linkhome.celery import app; app.loader.import_default_modules(); "
        "names = sorted(n for n in app.tasks if n.startswith('snapshots')); "
        "print('snapshots.tasks.worker_hooks' in sys.modules, names)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "linkhome.settings"}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == f"True {sorted(NAMES_AND_QUEUES)}"
