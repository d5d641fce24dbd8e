"""Data is sacred: killed pool processes, killed workers and a dead broker lose no capture."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.conf import settings

from snapshots.models import Snapshot
from tests.snapshots.tasks.conftest import log_tails
from tests.support.pageserver import hits
from tests.support.processes import beat, chromium_pids, pid_alive, worker
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.fault, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def status_of(snapshot_id: int) -> Snapshot:
    return Snapshot.objects.get(pk=snapshot_id)


def running(snapshot_id: int) -> bool:
    return status_of(snapshot_id).status == Snapshot.Status.RUNNING


def finished(snapshot_id: int) -> Snapshot | None:
    snapshot = status_of(snapshot_id)
    return snapshot if snapshot.is_finished else None


def save(api, url: str) -> int:
    response = api.post("/api/links/", {"url": url}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["snapshots"][0]["id"]


def test_pool_process_killed_mid_capture_then_capture_completes(worker_env, allow_pages, owner_api, tmp_path):
    proc = worker(worker_env, tmp_path / "worker.log", concurrency=1).start()
    try:
        snapshot_id = save(owner_api, allow_pages.url("/stall.html?case=pool"))
        wait_for(lambda: running(snapshot_id), timeout=60, what="capture to start")
        wait_for(lambda: hits(allow_pages, "/stall.html?case=pool"), timeout=20, what="browser to ask for the page")
        (child,) = proc.pool_children()
        os.kill(child, signal.SIGKILL)
        snapshot = wait_for(lambda: finished(snapshot_id), timeout=90, what="capture after pool kill")
        assert snapshot.status == Snapshot.Status.SUCCEEDED, (snapshot.error, log_tails(proc))
        assert snapshot.attempts == 2
        assert "迟到的页面" in snapshot.title
    finally:
        proc.stop()


def test_whole_worker_killed_then_new_worker_completes_and_reaps_browsers(
    worker_env, allow_pages, owner_api, tmp_path
):
    first = worker(worker_env, tmp_path / "first.log", concurrency=1).start()
    try:
        snapshot_id = save(owner_api, allow_pages.url("/stall.html?case=worker"))
        wait_for(lambda: running(snapshot_id), timeout=60, what="capture to start")
        wait_for(lambda: hits(allow_pages, "/stall.html?case=worker"), timeout=20, what="browser to ask for the page")
        orphans = chromium_pids(settings.CAPTURE_PROFILE_ROOT)
        assert orphans, "the capture should be running in a browser"
        first.kill_main_only()
    finally:
        first.stop()
    second = worker(worker_env, tmp_path / "second.log", concurrency=1).start()
    try:
        wait_for(lambda: not any(pid_alive(p) for p in orphans), timeout=30, what="orphaned Chromium reaped")
        snapshot = wait_for(lambda: finished(snapshot_id), timeout=120, what="capture by the new worker")
        assert snapshot.status == Snapshot.Status.SUCCEEDED, (snapshot.error, log_tails(first, second))
        assert snapshot.attempts == 2
    finally:
        second.stop()


def test_redis_down_saves_succeed_and_every_capture_completes_after(
    worker_env, allow_pages, owner_api, redis_server, tmp_path
):
    redis_server.stop()
    started = time.monotonic()
    ids = [save(owner_api, allow_pages.url(f"/report.html?outage={n}")) for n in range(3)]
    assert time.monotonic() - started < 30, "saving must not hang while the broker is down"
    # The first is the owner's turn (queued, unpublished); the others wait behind it.
    assert [status_of(i).status for i in ids] == [Snapshot.Status.QUEUED] + [Snapshot.Status.WAITING] * 2
    redis_server.start()
    processes = [
        worker(worker_env, tmp_path / "worker.log", concurrency=2).start(),
        beat(worker_env, tmp_path / "beat.log", tmp_path / "schedule").start(),
    ]
    try:
        for snapshot_id in ids:
            snapshot = wait_for(lambda i=snapshot_id: finished(i), timeout=120, what="capture after outage")
            assert snapshot.status == Snapshot.Status.SUCCEEDED, (snapshot.error, log_tails(*processes))
    finally:
        for process in processes:
            process.stop()
