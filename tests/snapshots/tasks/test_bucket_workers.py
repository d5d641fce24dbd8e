"""Workers on machines of their own: two worker processes with separate data folders and no shared disk
capture into one bucket (a real S3 server) while the web serves the artifacts through its access checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from snapshots.archive import reasons
from snapshots.models import Snapshot
from tests.snapshots.tasks.conftest import log_tails
from tests.support.processes import worker
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def worker_bucket(s3_server) -> str:
    return s3_server.new_bucket()


@pytest.fixture(scope="module")
def bucket_workers(worker_env, s3_server, worker_bucket, tmp_path_factory):
    """Two workers, each with its own DATA_DIR and MEDIA_ROOT, sharing only the database, Redis and the bucket."""
    started = []
    for name in ("east", "west"):
        home = tmp_path_factory.mktemp(f"worker-{name}")
        env = {
            **worker_env,
            **s3_server.env(worker_bucket),
            "DATA_DIR": str(home),
            "MEDIA_ROOT": str(home / "media"),
            "STORAGE_RETRY_DELAY": "2",
        }
        started.append((worker(env, home / "worker.log", concurrency=1, name=name).start(), home))
    yield started
    for process, _home in started:
        process.stop()


@pytest.fixture
def web_on_bucket(s3_server, worker_bucket, settings, tmp_path) -> Path:
    """The web process reads the same bucket and has a disk of its own that no worker writes."""
    settings.MEDIA_ROOT = str(tmp_path / "web-media")
    settings.BUCKET_STORAGE = s3_server.storage_settings(settings.BUCKET_STORAGE, worker_bucket)
    settings.STORAGES = {**settings.STORAGES, "default": settings.BUCKET_STORAGE}
    return tmp_path / "web-media"


def finished(snapshot_id: int) -> Snapshot | None:
    snapshot = Snapshot.objects.get(pk=snapshot_id)
    return snapshot if snapshot.is_finished else None


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_two_workers_without_a_shared_disk_capture_into_the_bucket_and_the_web_serves_it(
    bucket_workers, web_on_bucket, s3_server, worker_bucket, allow_pages, owner_api, other_api, client, owner, other
):
    posted = [
        (api, api.post("/api/links/", {"url": allow_pages.url(path)}, format="json").json()["snapshots"][0]["id"])
        for api in (owner_api, other_api)
        for path in ("/report.html", "/budget-gbk.html")
    ]
    try:
        done = [wait_for(lambda i=i: finished(i), timeout=120, what="capture to finish") for _api, i in posted]
    except AssertionError:
        raise AssertionError(log_tails(*(p for p, _h in bucket_workers))) from None
    assert all(s.status == Snapshot.Status.SUCCEEDED for s in done), [s.error for s in done]

    keys = set(s3_server.keys(worker_bucket))
    for snapshot in done:
        assert set(snapshot.artifacts.values()) <= keys
        assert all(name.startswith("blobs/") for name in snapshot.artifacts.values())
    # The same page saved by two users is one set of files (screenshots can differ by a pixel).
    assert done[0].artifacts["text"] == done[2].artifacts["text"]
    for _process, home in bucket_workers:
        assert files_under(home / "media") == []
    assert files_under(web_on_bucket) == []

    readers = ((owner, other), (owner, other), (other, owner), (other, owner))  # (the owner, a stranger)
    for (api, snapshot_id), (user, stranger) in zip(posted, readers, strict=True):
        urls = api.get(f"/api/snapshots/{snapshot_id}/").json()["artifacts"]
        client.force_login(user)
        page = client.get(urls["html"])
        assert page.status_code == 200 and page["Content-Security-Policy"].startswith("sandbox;")
        assert "<script" not in b"".join(page.streaming_content).decode().lower()
        shot = client.get(urls["screenshot"])
        assert shot.status_code == 302 and shot["Location"].startswith(s3_server.endpoint)
        client.force_login(stranger)
        assert client.get(urls["html"]).status_code == 404
        assert client.get(urls["screenshot"]).status_code == 404


def test_a_bucket_that_cannot_be_written_fails_the_attempt_at_once_and_the_capture_is_retried(
    bucket_workers, web_on_bucket, s3_server, worker_bucket, allow_pages, owner_api
):
    s3 = s3_server.client()
    for key in s3_server.keys(worker_bucket):
        s3.delete_object(Bucket=worker_bucket, Key=key)
    s3.delete_bucket(Bucket=worker_bucket)  # the bucket is gone: every write is refused
    snapshot_id = owner_api.post("/api/links/", {"url": allow_pages.url("/report.html")}, format="json").json()[
        "snapshots"
    ][0]["id"]
    try:
        refused = wait_for(
            lambda: Snapshot.objects.filter(pk=snapshot_id, error_code=reasons.STORAGE_FAILED).first(),
            timeout=60,
            interval=0.02,
            what="the storage failure to be recorded",
        )
    finally:
        s3.create_bucket(Bucket=worker_bucket)
    assert refused.status in (Snapshot.Status.QUEUED, Snapshot.Status.RUNNING), refused.status
    assert refused.attempts == 1
    assert refused.error == "the snapshot could not be stored: the storage was unavailable"
    try:
        done = wait_for(lambda: finished(snapshot_id), timeout=90, what="the retried capture")
    except AssertionError:
        raise AssertionError(log_tails(*(p for p, _h in bucket_workers))) from None
    assert done.status == Snapshot.Status.SUCCEEDED, done.error
    assert done.attempts == 2 and done.error_code == ""
    assert set(done.artifacts.values()) <= set(s3_server.keys(worker_bucket))
