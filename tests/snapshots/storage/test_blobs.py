"""Artifacts stored once by content hash, shared with reference counts, charged to quotas by logical bytes."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from snapshots.archive import lifecycle, reasons
from snapshots.links import services
from snapshots.models import Snapshot, StoredFile
from snapshots.storage import blobs, quota
from tests.factories import image_bytes, make_link, make_snapshot, make_stored_snapshot

pytestmark = pytest.mark.django_db

FAVICON = image_bytes("PNG", (200, 30, 30), (16, 16))
SCREENSHOT = image_bytes("WEBP", (240, 240, 230), (400, 600))


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def page_result(html: str = "<html><p>财政收入</p></html>", screenshot: bytes = SCREENSHOT) -> SimpleNamespace:
    def artifact(data: bytes, filename: str) -> SimpleNamespace:
        return SimpleNamespace(data=data, filename=filename)

    return SimpleNamespace(
        ok=True, error=None, text="财政收入", notes=[], final_url="https://example.com/", http_status=200,
        content_type="text/html", title="报告", description="", language="zh", charset="utf-8", timings={},
        artifacts={
            "html": artifact(html.encode(), "page.html"),
            "screenshot": artifact(screenshot, "screenshot.webp"),
            "favicon": artifact(FAVICON, "favicon.png"),
        },
    )


def capture(link, result=None) -> Snapshot:
    running = make_snapshot(link, status=Snapshot.Status.RUNNING)
    return lifecycle.snapshot_finish(running.pk, result or page_result())



def _at_once(work):
    """`work()` in two threads at once, each in a transaction of its own; what each returned."""
    started = threading.Barrier(2)
    results = []

    def run() -> None:
        try:
            started.wait(timeout=10)
            with transaction.atomic():
                results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results

def test_the_same_bytes_are_stored_once_for_every_version_and_user(media, owner, other, committed):
    mine = make_link(owner, "https://example.com/report")
    first = committed(lambda: capture(mine))
    again = committed(lambda: capture(mine))
    theirs = committed(lambda: capture(make_link(other, "https://example.com/report")))
    changed = committed(lambda: capture(mine, page_result(html="<p>新的一版</p>")))

    assert first.artifacts == again.artifacts == theirs.artifacts
    assert first.artifacts["screenshot"].startswith("blobs/") and first.artifacts["screenshot"].endswith(".webp")
    assert changed.artifacts["html"] != first.artifacts["html"]
    assert changed.artifacts["favicon"] == first.artifacts["favicon"]
    refs = dict(StoredFile.objects.values_list("name", "refs"))
    assert refs == {
        first.artifacts["html"]: 3,
        first.artifacts["screenshot"]: 4,
        first.artifacts["favicon"]: 4,
        changed.artifacts["html"]: 1,
    }
    assert len(stored_files(media)) == 4  # four distinct files for twelve artifacts
    # Each user pays for their own artifacts in full, whoever else holds the same bytes.
    one = sum(first.sizes.values())
    assert first.stored_bytes == one
    assert quota.used_bytes(other.pk) == one
    assert quota.used_bytes(owner.pk) == 2 * one + changed.stored_bytes


def test_a_file_goes_with_its_last_reference_only(media, owner, other, committed):
    mine, theirs = make_link(owner), make_link(other)
    snapshot = committed(lambda: capture(mine))
    committed(lambda: capture(theirs))
    names = set(snapshot.artifacts.values())

    committed(lambda: services.link_delete(link=mine))
    assert set(StoredFile.objects.values_list("name", "refs")) == {(name, 1) for name in names}
    assert all(default_storage.exists(name) for name in names)

    committed(lambda: services.link_delete(link=theirs))
    assert not StoredFile.objects.exists()
    assert stored_files(media) == []
    assert sorted(str(p.relative_to(media)) for p in media.rglob("*")) == ["blobs"]  # no empty fan-out folders


def test_a_release_that_rolls_back_keeps_the_file(media, owner, committed):
    link = make_link(owner)
    snapshot = committed(lambda: capture(link))

    def delete_then_fail():
        with transaction.atomic():
            services.link_delete(link=link)
            raise RuntimeError("the deletion failed")

    with pytest.raises(RuntimeError):
        committed(delete_then_fail)
    assert all(StoredFile.objects.get(name=name).refs == 1 for name in snapshot.artifacts.values())
    assert all(default_storage.exists(name) for name in snapshot.artifacts.values())


def test_a_capture_over_quota_fails_with_its_reason_and_loses_nothing_else(media, owner, settings, committed):
    link = make_link(owner)
    kept = committed(lambda: capture(link))
    one = kept.stored_bytes
    settings.STORAGE_QUOTA_MB = 1
    big = page_result(screenshot=bytes(range(256)) * 4200)  # about 1 MB of its own
    over = committed(lambda: capture(link, big))

    assert (over.status, over.error_code) == (Snapshot.Status.FAILED, reasons.OVER_QUOTA)
    assert over.error_params == {"used_mb": f"{one / quota.MB:.1f}", "quota_mb": 1}
    assert over.error.startswith("not stored: your storage quota is full")
    assert over.artifacts == {} and over.stored_bytes == 0
    assert quota.used_bytes(owner.pk) == one
    kept.refresh_from_db()
    assert kept.status == Snapshot.Status.SUCCEEDED
    assert all(default_storage.exists(name) for name in kept.artifacts.values())
    assert len(stored_files(media)) == 3  # the refused screenshot was never written

    owner.storage_quota_mb = 0  # staff lift this user's limit in the admin
    owner.save(update_fields=["storage_quota_mb"])
    assert committed(lambda: capture(link, big)).status == Snapshot.Status.SUCCEEDED


def test_a_storage_that_cannot_write_records_nothing(media, owner, monkeypatch):
    link = make_link(owner)
    running = make_snapshot(link, status=Snapshot.Status.RUNNING)
    default_storage._setup()

    def disk_full(storage, name, content, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(default_storage._wrapped), "save", disk_full)
    with pytest.raises(blobs.StorageWriteError, match="No space left"):
        lifecycle.snapshot_finish(running.pk, page_result())
    assert not StoredFile.objects.exists()
    running.refresh_from_db()
    assert running.status == Snapshot.Status.RUNNING and running.artifacts == {}

    lifecycle.snapshot_storage_failed(running.pk, attempts_left=True)
    running.refresh_from_db()
    assert (running.status, running.error_code) == (Snapshot.Status.QUEUED, reasons.STORAGE_FAILED)
    running.status = Snapshot.Status.RUNNING
    running.save(update_fields=["status"])
    lifecycle.snapshot_storage_failed(running.pk, attempts_left=False)
    running.refresh_from_db()
    assert (running.status, running.error_code) == (Snapshot.Status.FAILED, reasons.STORAGE_FAILED)
    assert running.error == "the snapshot could not be stored: the storage was unavailable"


def test_older_files_move_to_the_hashed_layout_and_a_second_run_has_nothing_to_do(
    media, owner, other, owner_client, committed
):
    first = make_stored_snapshot(make_link(owner, "https://example.com/a"), title="报告")
    second = make_stored_snapshot(make_link(other, "https://example.com/b"), title="报告")
    before = {kind: default_storage.open(name).read() for kind, name in first.artifacts.items()}
    assert (media / "snapshots").is_dir()

    committed(lambda: call_command("storage_hash", verbosity=0))
    first.refresh_from_db()
    second.refresh_from_db()
    assert all(blobs.is_blob(name) for name in first.artifacts.values())
    assert first.artifacts == second.artifacts  # the same bytes now share one file each
    assert {kind: default_storage.open(name).read() for kind, name in first.artifacts.items()} == before
    assert set(StoredFile.objects.values_list("refs", flat=True)) == {2}
    assert all(path.startswith("blobs/") for path in stored_files(media))
    assert list((media / "snapshots").iterdir()) == []
    response = owner_client.get(reverse("snapshots:snapshot_artifact", args=[first.pk, "html"]))
    assert response.status_code == 200 and "sandbox" in response["Content-Security-Policy"]

    rows = list(StoredFile.objects.values_list("name", "refs").order_by("name"))
    committed(lambda: call_command("storage_hash", verbosity=0))
    assert list(StoredFile.objects.values_list("name", "refs").order_by("name")) == rows


def test_usage_is_on_the_settings_page_in_both_languages_and_in_the_api(
    media, owner, owner_client, owner_api, settings, committed
):
    settings.STORAGE_QUOTA_MB = 100
    snapshot = committed(lambda: capture(make_link(owner)))
    used = f"{snapshot.stored_bytes / quota.MB:.1f}"
    page = owner_client.get(reverse("accounts:settings"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"存储：已用 {used} MB，共 100 MB（0%）" in page
    page = owner_client.get(reverse("accounts:settings"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Storage: {used} MB of 100 MB used (0%)" in page
    assert owner_api.get("/api/storage/").json() == {"used_bytes": snapshot.stored_bytes, "quota_bytes": 100 * quota.MB}
    settings.STORAGE_QUOTA_MB = 0
    assert owner_api.get("/api/storage/").json()["quota_bytes"] is None


@pytest.mark.django_db(transaction=True)
def test_two_workers_holding_the_same_new_file_at_once_count_two(media, owner):
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL's row locks (run it with make test)")
    names = _at_once(lambda: blobs.blob_hold(SCREENSHOT, "screenshot.webp"))
    assert len(names) == 2 and names[0] == names[1]
    assert StoredFile.objects.get(name=names[0]).refs == 2
    assert stored_files(media) == [names[0]]


def test_two_captures_holding_the_same_new_files_at_once_count_every_reference(media, owner):
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL's row locks (run it with make test)")
    # Bytes of this test's own: the rows these threads commit outlive the test.
    shot, icon = image_bytes("WEBP", (10, 20, 30), (40, 60)), image_bytes("PNG", (30, 20, 10), (16, 16))
    # The same bytes under two kinds of one capture are one file with two references.
    artifacts = {"screenshot": ("screenshot.webp", shot), "thumbnail": ("thumbnail.webp", shot),
                 "favicon": ("favicon.png", icon)}

    held = _at_once(lambda: blobs.blobs_hold(artifacts))
    try:
        assert len(held) == 2 and held[0] == held[1]
        names = held[0]
        assert names["screenshot"] == names["thumbnail"] != names["favicon"]
        refs = dict(StoredFile.objects.filter(name__in=names.values()).values_list("name", "refs"))
        assert refs == {names["screenshot"]: 4, names["favicon"]: 2}
        assert stored_files(media) == sorted({names["screenshot"], names["favicon"]})
    finally:
        # The threads committed their rows: take them out the same way, for the tests that count every row.
        cleanup = threading.Thread(target=_delete_committed, args=({n for h in held for n in h.values()},))
        cleanup.start()
        cleanup.join(timeout=30)


def _delete_committed(names: set[str]) -> None:
    try:
        StoredFile.objects.filter(name__in=names).delete()
    finally:
        connection.close()


def test_a_held_file_lost_from_storage_is_written_again_by_the_next_capture(media, owner, committed):
    first = committed(lambda: capture(make_link(owner)))
    lost = first.artifacts["screenshot"]
    default_storage.delete(lost)  # gone behind the counts' back
    again = committed(lambda: capture(make_link(owner, "https://example.com/again")))
    assert again.artifacts["screenshot"] == lost
    with default_storage.open(lost, "rb") as handle:
        assert handle.read() == SCREENSHOT
    assert StoredFile.objects.get(name=lost).refs == 2
