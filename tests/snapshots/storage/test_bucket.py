"""Artifacts in an S3-compatible bucket (a real server: moto in server mode), with every access checked by us."""

from __future__ import annotations

import io
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from snapshots.links import services
from snapshots.models import Snapshot, StoredFile
from snapshots.storage import moving
from tests.factories import make_link, make_stored_snapshot
from tests.snapshots.storage.test_blobs import SCREENSHOT, capture

pytestmark = pytest.mark.django_db


def artifact(snapshot: Snapshot, kind: str) -> str:
    return reverse("snapshots:snapshot_artifact", args=[snapshot.pk, kind])


def test_captures_go_to_the_bucket_without_default_checksums(s3_server, bucket, owner, committed):
    snapshot = committed(lambda: capture(make_link(owner)))
    assert s3_server.keys(bucket) == sorted(snapshot.artifacts.values())
    config = default_storage.connection.meta.client.meta.config
    assert (config.request_checksum_calculation, config.response_checksum_validation) == (
        "when_required",
        "when_required",
    )
    head = s3_server.client().head_object(Bucket=bucket, Key=snapshot.artifacts["screenshot"])
    assert head["ContentLength"] == len(SCREENSHOT)
    assert not any(key.lower().startswith("x-amz-checksum") for key in head["ResponseMetadata"]["HTTPHeaders"])


def test_html_is_streamed_with_the_sandbox_and_images_redirect_for_a_minute(
    s3_server, bucket, owner, owner_client, other_client, committed, settings
):
    snapshot = committed(lambda: capture(make_link(owner)))
    page = owner_client.get(artifact(snapshot, "html"))
    assert page.status_code == 200
    assert page["Content-Security-Policy"].startswith("sandbox;")
    assert "财政收入" in b"".join(page.streaming_content).decode()

    shot = owner_client.get(artifact(snapshot, "screenshot"))
    assert shot.status_code == 302
    assert shot["Cache-Control"] == "no-store" and shot["Referrer-Policy"] == "no-referrer"
    url = shot["Location"]
    assert url.startswith(s3_server.endpoint)
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-type"] == ["image/webp"]
    assert query["response-cache-control"] == ["no-store"]
    with urllib.request.urlopen(url, timeout=10) as fetched:
        assert fetched.read() == SCREENSHOT
        assert fetched.headers["Content-Type"] == "image/webp"
        assert fetched.headers["Cache-Control"] == "no-store"

    # The access check stays ours: another user gets no URL at all.
    assert other_client.get(artifact(snapshot, "screenshot")).status_code == 404
    anonymous = Client().get(artifact(snapshot, "screenshot"))
    assert "X-Amz" not in anonymous.get("Location", "")  # sent to log in, never to the bucket
    # A download is streamed with its file name, and SVG or markup never leave through a redirect.
    download = owner_client.get(artifact(snapshot, "screenshot") + "?download=1")
    assert download.status_code == 200 and b"".join(download.streaming_content) == SCREENSHOT


def test_a_snapshot_host_takes_precedence_over_presigned_urls(bucket, owner, committed, settings):
    snapshot = committed(lambda: capture(make_link(owner)))
    settings.SNAPSHOT_HOST = "snapshots.testserver"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "snapshots.testserver", "testserver"]
    client = Client()
    client.force_login(owner)
    signed = client.get(artifact(snapshot, "screenshot"))
    assert signed.status_code == 302 and "snapshots.testserver" in signed["Location"]
    served = Client().get(signed["Location"], HTTP_HOST="snapshots.testserver")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == SCREENSHOT


def test_deleting_removes_the_objects_no_one_else_holds(s3_server, bucket, owner, other, committed):
    mine, theirs = make_link(owner), make_link(other)
    kept = committed(lambda: capture(theirs))
    committed(lambda: capture(mine))
    committed(lambda: services.link_delete(link=mine))
    assert s3_server.keys(bucket) == sorted(kept.artifacts.values())
    committed(lambda: services.link_delete(link=theirs))
    assert s3_server.keys(bucket) == []
    assert not StoredFile.objects.exists()


def disk_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_files_move_from_disk_to_the_bucket_and_back_resuming_where_a_run_stopped(
    s3_server, bucket, owner, owner_client, committed, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    bucket_settings = settings.BUCKET_STORAGE
    settings.STORAGES = {**settings.STORAGES, "default": settings.DISK_STORAGE}  # the site on disk
    hashed = committed(lambda: capture(make_link(owner)))
    older = make_stored_snapshot(make_link(owner, "https://example.com/older"))
    names = sorted({*hashed.artifacts.values(), *older.artifacts.values()})
    assert disk_files(tmp_path / "media") == names

    # A run stopped after its first file: that file is in the bucket only.
    first = names[0]
    with default_storage.open(first, "rb") as handle:
        s3_server.client().put_object(Bucket=bucket, Key=first, Body=handle.read())
    default_storage.delete(first)

    out = _run("storage_move", "to-bucket")
    assert len(names) == 8
    assert "moved 7 files" in out and "1 were there already" in out
    assert s3_server.keys(bucket) == names
    assert disk_files(tmp_path / "media") == []

    settings.STORAGES = {**settings.STORAGES, "default": bucket_settings}  # the site switched to the bucket
    page = owner_client.get(artifact(older, "html"))
    assert page.status_code == 200 and "sandbox" in page["Content-Security-Policy"]
    assert owner_client.get(artifact(hashed, "screenshot")).status_code == 302

    assert "moved 8 files" in _run("storage_move", "to-disk")
    assert s3_server.keys(bucket) == []
    assert disk_files(tmp_path / "media") == names
    assert "moved 0 files" in _run("storage_move", "to-disk")  # nothing left to do
    settings.STORAGES = {**settings.STORAGES, "default": settings.DISK_STORAGE}
    with default_storage.open(hashed.artifacts["screenshot"], "rb") as handle:
        assert handle.read() == SCREENSHOT


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_moving_needs_a_bucket_named(settings):
    settings.BUCKET_STORAGE = {**settings.BUCKET_STORAGE, "OPTIONS": {"bucket_name": ""}}
    with pytest.raises(Exception, match="AWS_STORAGE_BUCKET_NAME"):
        moving.bucket_storage()


def test_older_files_in_a_bucket_move_to_the_hashed_layout(s3_server, bucket, owner, other, committed):
    first = make_stored_snapshot(make_link(owner, "https://example.com/a"), title="报告")
    second = make_stored_snapshot(make_link(other, "https://example.com/b"), title="报告")
    assert all(key.startswith("snapshots/") for key in s3_server.keys(bucket))

    committed(lambda: call_command("storage_hash", verbosity=0))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.artifacts == second.artifacts
    assert s3_server.keys(bucket) == sorted(first.artifacts.values())
    assert set(StoredFile.objects.values_list("refs", flat=True)) == {2}
