"""Deleting artifact files removes the folders they leave empty, on disk, whichever write path deletes them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse

from snapshots.archive import lifecycle, removal
from snapshots.links import services
from snapshots.models import Snapshot
from snapshots.storage import files
from tests.factories import make_link, make_snapshot, make_stored_snapshot

pytestmark = pytest.mark.django_db


def tree(root: Path) -> list[str]:
    """Every file and folder under root, as relative paths."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_deleting_links_removes_their_folders_then_the_owner_folder(media, owner, other, committed):
    first = make_link(owner, stored=True)
    make_stored_snapshot(first)
    second = make_link(owner, stored=True)
    others = make_link(other, stored=True)
    assert {p.name for p in (media / "snapshots").iterdir()} == {str(owner.pk), str(other.pk)}

    committed(lambda: services.link_delete(link=first))
    assert not (media / f"snapshots/{owner.pk}/{first.pk}").exists()
    assert (media / f"snapshots/{owner.pk}/{second.pk}").is_dir()

    committed(lambda: services.link_delete(link=second))
    assert not (media / f"snapshots/{owner.pk}").exists()
    assert tree(media / "snapshots")[0] == str(other.pk)  # the area folder and other owners stay
    assert all(p.startswith(f"{other.pk}/{others.pk}") for p in tree(media / "snapshots")[1:])


def test_deleting_a_version_in_the_admin_removes_its_files_and_folder(media, owner, staff_client, committed):
    link = make_link(owner, stored=True)
    kept = link.snapshots.get()
    gone = make_stored_snapshot(link)
    gone_files = list(gone.artifacts.values())
    assert all((media / name).is_file() for name in gone_files)

    response = committed(
        lambda: staff_client.post(reverse("admin:snapshots_snapshot_delete", args=[gone.pk]), {"post": "yes"})
    )
    assert response.status_code == 302
    assert not Snapshot.objects.filter(pk=gone.pk).exists()
    assert not (media / files.snapshot_folder(owner.pk, link.pk, gone.pk)).exists()
    assert all((media / name).is_file() for name in kept.artifacts.values())


def test_deleting_versions_in_bulk_empties_the_link_folder(media, owner, committed):
    link = make_link(owner, stored=True)
    make_stored_snapshot(link)
    committed(lambda: removal.snapshots_delete(snapshots=Snapshot.objects.filter(link=link)))
    assert tree(media) == ["snapshots"]


def _scheduled_result(text: str):
    page = SimpleNamespace(data=b"<html>same</html>", filename="page.html", content_type="text/html")
    return SimpleNamespace(
        ok=True, error=None, artifacts={"html": page}, text=text, notes=[], final_url="https://example.com/s",
        http_status=200, content_type="text/html", title="页", description="", language="zh", charset="utf-8",
        timings={},
    )


def test_an_unchanged_scheduled_capture_leaves_no_folder(media, owner, committed):
    link = make_link(owner)
    previous = make_stored_snapshot(link)  # its page text is empty, like the new capture's
    scheduled = make_snapshot(link, status=Snapshot.Status.QUEUED, trigger=Snapshot.Trigger.SCHEDULE)
    kept = committed(lambda: lifecycle.snapshot_finish(scheduled.pk, _scheduled_result("")))
    assert kept.pk == previous.pk
    assert not (media / files.snapshot_folder(owner.pk, link.pk, scheduled.pk)).exists()
    assert tree(media / f"snapshots/{owner.pk}/{link.pk}") == [str(previous.pk)] + [
        f"{previous.pk}/{Path(name).name}" for name in sorted(previous.artifacts.values())
    ]


def test_a_folder_still_holding_a_file_is_kept(media, owner):
    link = make_link(owner, stored=True)
    snapshot = link.snapshots.get()
    names = sorted(snapshot.artifacts.values())
    files.delete_artifact_files(names[1:])
    assert tree(media / files.snapshot_folder(owner.pk, link.pk, snapshot.pk)) == [Path(names[0]).name]
    files.delete_artifact_files(names[:1])
    assert tree(media) == ["snapshots"]
