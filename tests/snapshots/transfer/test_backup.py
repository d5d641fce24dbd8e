"""`manage.py backup` and `restore`: the whole site out to one file and back, across engines."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from taggit.models import Tag

from accounts import services as account_services
from accounts.models import ApiToken, User
from snapshots.models import AuditEntry, Link, Report, SearchDocument, Share, Snapshot, StoredFile
from snapshots.search.query import search_links
from snapshots.storage.files import delete_artifact_files
from tests.factories import make_link, make_report, make_share
from tests.snapshots.storage.test_blobs import capture

# Restore runs its own transactions and the backup reads one moment of a committed database.
pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]


def _file_hash(name: str) -> str:
    with default_storage.open(name, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _snapshot_facts(s: Snapshot) -> tuple:
    files = {kind: (name, _file_hash(name)) for kind, name in s.artifacts.items()}
    return (s.pk, s.link_id, s.owner.username, s.status, s.title, files)


def _site() -> dict:
    """What a restore must give back, by natural values rather than row ids alone."""
    links = Link.objects.order_by("pk")
    return {
        "users": sorted(User.objects.values_list("username", "password", "email", "is_staff", "is_superuser")),
        "tokens": sorted(ApiToken.objects.values_list("user__username", "key_hash")),
        "links": [
            (link.pk, link.owner.username, link.url, link.title, link.notes, sorted(link.tags.names()))
            for link in links
        ],
        "tags": sorted(Tag.objects.values_list("name", "slug")),
        "snapshots": [_snapshot_facts(snapshot) for snapshot in Snapshot.objects.order_by("pk")],
        "shares": sorted(Share.objects.values_list("token", "owner__username", "tag_name", "title")),
        "reports": sorted(Report.objects.values_list("share__token", "link__url", "reason")),
        "audit": sorted(AuditEntry.objects.values_list("action", "actor__username")),
    }


def _populate(owner, other, staff) -> None:
    account_services.token_create(user=owner, name="脚本")
    make_link(
        owner, "https://stats.example.cn/2025", tags=["报告", "统计"], title="2025年统计公报", notes="笔记", stored=True
    )
    make_link(owner, "https://example.com/plain", tags=["读物"], title="Plain page", stored=True)
    hidden = make_link(other, "https://gov.example.cn/b", tags=["报告"], title="预算报告", stored=True)
    share = make_share(other, tag="报告")
    make_report(share, hidden)
    AuditEntry.objects.create(actor=staff, action="link_hidden", details={"link": hidden.pk})


def _wipe() -> None:
    names = [n for artifacts in Snapshot.objects.values_list("artifacts", flat=True) for n in artifacts.values()]
    User.objects.all().delete()
    Tag.objects.all().delete()
    Session.objects.all().delete()
    delete_artifact_files(names)


def test_backup_wipe_restore_gives_back_the_same_site(owner, other, staff, client, tmp_path):
    _populate(owner, other, staff)
    client.force_login(owner)
    before = _site()
    target = tmp_path / "site.zip"

    call_command("backup", str(target), verbosity=0)
    assert Session.objects.exists()

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        members = set(archive.namelist())
    assert manifest["engine"] == connection.vendor and manifest["counts"]["links"] == 3
    assert len(manifest["files"]) == 15 and not manifest["missing"]
    assert {f"files/{name}" for name in manifest["files"]} <= members
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())
    _wipe()
    assert not Link.objects.exists() and not default_storage.exists(before["snapshots"][0][5]["html"][0])

    call_command("restore", str(target), verbosity=0)

    assert _site() == before
    assert not Session.objects.exists()  # everyone signs in again
    assert SearchDocument.objects.count() == 3  # rebuilt, not copied
    found = search_links(Link.objects.filter(owner__username="owner"), "统计公报")
    assert [link.url for link in found[:10]] == ["https://stats.example.cn/2025"]


def test_restore_refuses_a_site_that_is_not_empty_and_changes_nothing(owner, other, staff, tmp_path):
    _populate(owner, other, staff)
    target = tmp_path / "site.zip"
    call_command("backup", str(target), verbosity=0)
    before = _site()
    with pytest.raises(CommandError, match="empty site"):
        call_command("restore", str(target), verbosity=0)
    assert _site() == before


def test_a_damaged_backup_restores_nothing(owner, other, staff, tmp_path):
    _populate(owner, other, staff)
    target = tmp_path / "site.zip"
    call_command("backup", str(target), verbosity=0)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(target) as source, zipfile.ZipFile(damaged, "w") as copy:
        last = sorted(n for n in source.namelist() if n.startswith("files/"))[-1]
        for member in source.namelist():
            data = source.read(member)
            copy.writestr(member, data + b"x" if member == last else data)
    _wipe()
    with pytest.raises(CommandError, match="do not match their hash"):
        call_command("restore", str(damaged), verbosity=0)
    assert not User.objects.exists() and not Link.objects.exists()
    manifest = json.loads(zipfile.ZipFile(target).read("manifest.json"))
    assert not any(default_storage.exists(name) for name in manifest["files"])


def test_backup_refuses_to_overwrite_and_a_wrong_file_is_named(owner, tmp_path):
    target = tmp_path / "site.zip"
    target.write_bytes(b"precious")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(target), verbosity=0)
    assert target.read_bytes() == b"precious"
    with pytest.raises(CommandError, match="not a linkhome backup|cannot open"):
        call_command("restore", str(target), verbosity=0)


@contextmanager
def _other_engine(tmp_path: Path) -> Iterator[tuple[str, Callable[[str], list[tuple]]]]:
    """A database of the other engine, empty, and a way to query it: SQLite for a PostgreSQL
    suite; for the SQLite pass, a scratch PostgreSQL database on the server the suite uses
    (its address passed down by test_sqlite.py as POSTGRES_URL)."""
    if connection.vendor == "postgresql":
        database = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{database}", lambda sql: sqlite3.connect(database).execute(sql).fetchall()
        return
    server = os.environ["POSTGRES_URL"].rsplit("/", 1)[0]
    name = f"linkhome_restore_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:

        def query(sql: str) -> list[tuple]:
            with psycopg.connect(f"{server}/{name}") as rows:
                return rows.execute(sql).fetchall()

        yield f"{server}/{name}", query
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_backup_restores_into_the_other_database_engine(owner, other, staff, tmp_path):
    _populate(owner, other, staff)
    target = tmp_path / "site.zip"
    call_command("backup", str(target), verbosity=0)
    before = _site()
    (tmp_path / "data" / "staticfiles").mkdir(parents=True)
    with _other_engine(tmp_path) as (url, query):
        env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(tmp_path / "data")}
        env["MEDIA_ROOT"] = str(tmp_path / "media")
        for command in (["migrate", "--noinput", "-v0"], ["restore", str(target)]):
            done = subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
            )
            assert done.returncode == 0, done.stdout + done.stderr
        links = query(
            "SELECT l.id, u.username, l.url, l.title FROM snapshots_link l JOIN accounts_user u ON u.id = l.owner_id"
            " ORDER BY l.id"
        )
        documents = query("SELECT count(*) FROM snapshots_searchdocument")
    assert links == [(pk, user, url, title) for pk, user, url, title, _notes, _tags in before["links"]]
    assert documents == [(3,)]
    for *_facts, artifacts in before["snapshots"]:
        for name, digest in artifacts.values():
            assert hashlib.sha256((tmp_path / "media" / name).read_bytes()).hexdigest() == digest


def test_a_site_on_a_bucket_with_shared_files_comes_back_with_its_counts(owner, other, s3_server, bucket, tmp_path):
    mine = capture(make_link(owner, "https://example.com/same"))
    theirs = capture(make_link(other, "https://example.com/same"))
    assert mine.artifacts == theirs.artifacts
    counted = sorted(StoredFile.objects.values_list("name", "size", "refs"))
    assert {refs for _name, _size, refs in counted} == {2}
    hashes = {name: _file_hash(name) for name in mine.artifacts.values()}
    target = tmp_path / "site.zip"
    call_command("backup", str(target), verbosity=0)
    with zipfile.ZipFile(target) as archive:
        assert set(json.loads(archive.read("manifest.json"))["files"]) == set(hashes)  # each shared file once

    for user in (owner, other):
        account_services.user_delete(user=user)
    assert s3_server.keys(bucket) == [] and not StoredFile.objects.exists()

    call_command("restore", str(target), verbosity=0)
    assert sorted(StoredFile.objects.values_list("name", "size", "refs")) == counted
    assert s3_server.keys(bucket) == sorted(hashes)
    assert {name: _file_hash(name) for name in hashes} == hashes
