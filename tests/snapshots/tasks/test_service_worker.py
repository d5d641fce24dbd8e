"""The service worker that `bin/run` and docker-compose start reads imports and starts no browser."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from snapshots import queues
from snapshots.models import ImportJob
from tests.snapshots.tasks.conftest import log_tails
from tests.support.processes import CELERY, descendants_of, worker
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BOOKMARKS = (
    '<DL><p><DT><H3>政府</H3><DL><p>'
    '<DT><A HREF="https://example.com/a">甲</A><DT><A HREF="https://example.com/b">乙</A>'
    "</DL><p></DL>"
).encode()


def command_lines(pids: list[int]) -> list[bytes]:
    lines = []
    for pid in pids:
        try:
            lines.append(Path(f"/proc/{pid}/cmdline").read_bytes())
        except OSError:
            continue
    return lines


def test_the_service_worker_runs_an_import_without_a_browser(worker_env, owner_api, tmp_path):
    service = worker(
        worker_env, tmp_path / "service.log", concurrency=1, queues=queues.SERVICE_WORKER_QUEUES
    ).start()
    try:
        upload = SimpleUploadedFile("bookmarks.html", BOOKMARKS, content_type="text/html")
        response = owner_api.post("/api/import/", {"file": upload, "capture": "false"}, format="multipart")
        assert response.status_code in (201, 202), response.content
        job_id = response.json()["id"]
        job = wait_for(
            lambda: ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.SUCCEEDED).first(),
            timeout=60,
            what="the import on the service worker",
        )
        assert job.done == 2, log_tails(service)
        assert service.pool_children(), "the worker should have its pool process"
        for pid in service.pool_children():  # a big import yields to the web and to captures
            assert os.getpriority(os.PRIO_PROCESS, pid) == settings.SERVICE_WORKER_NICE
        assert not [c for c in command_lines(descendants_of(service.pid)) if b"chrom" in c]
        _compose_healthcheck_answers(worker_env, f"test-{os.getpid()}@{socket.gethostname()}")
    finally:
        service.stop()


def _compose_healthcheck_answers(env: dict[str, str], node: str) -> None:
    """The service worker's healthcheck in docker-compose.yml, run against this worker by its node
    name, passes; asked for a node that does not exist, it fails."""
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    [check] = re.findall(r'"CMD-SHELL", "(celery -A linkhome inspect ping -d service@\$\$HOSTNAME [^"]*)"', compose)
    present = check.replace("service@$$HOSTNAME", node)
    # An absent node is waited for until the timeout: a short one keeps the test short.
    absent = re.sub(r"-t \d+", "-t 1", check.replace("service@$$HOSTNAME", f"absent-{node}"))
    for command, expected in ((present, 0), (absent, 1)):
        command = command.replace("celery ", f"{CELERY} ", 1)
        done = subprocess.run(command, shell=True, env=env, cwd=settings.BASE_DIR, capture_output=True, timeout=60)
        assert (done.returncode != 0) == bool(expected), (command, done.stdout[-500:], done.stderr[-500:])
