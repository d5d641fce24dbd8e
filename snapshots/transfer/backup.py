"""A whole site in one file and back: database rows and artifact files, for SQLite and PostgreSQL.

A backup is a zip file (mode 0600: it holds password hashes and every user's pages):

- `manifest.json`: format, time, the database engine it came from, the migrations applied, row
  counts, and every artifact's name, size and SHA-256;
- `data.json`: the rows, written by Django's own `dumpdata` with natural foreign keys, so it
  loads into either engine (a backup of PostgreSQL restores into SQLite and the reverse);
- `files/<storage name>`: the artifact files and kept import uploads the rows name.

The rows are read in one transaction that sees a single moment (REPEATABLE READ on PostgreSQL,
one read transaction on SQLite, which leaves writers free under WAL), and the files copied are
exactly those those rows name. A file deleted in the meantime (its row was deleted after the
moment the backup sees) is listed as missing, not an error.

Left out on purpose: sessions (everyone signs in again), content types and permissions (each
site has its own; rows refer to them by natural key), login-failure and reset-mail records (short
-lived limits), the cache, and search documents, which restore rebuilds from the rows.

Restore goes into an empty site only, migrated at least as far as the backup. It writes the
files first, checking each hash, then loads every row in one transaction; if the rows fail to
load, the files it wrote are removed again, so a failed restore leaves the site as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from accounts.models import User
from snapshots.dbstats import statistics_refresh
from snapshots.models import ImportJob, Link, SearchDocument, Snapshot
from snapshots.search.indexing import search_document_rebuild_all
from snapshots.storage import files

FORMAT = 1
MANIFEST = "manifest.json"
DATA = "data.json"
FILES = "files/"
EXCLUDED = (
    "sessions",
    "contenttypes",
    "auth.permission",
    "accounts.loginfailure",
    "accounts.passwordresetrequest",
    "snapshots.searchdocument",
)
CHUNK = 1 << 20


class BackupError(Exception):
    """The backup cannot be written or restored; the message says why."""


@dataclass
class Summary:
    counts: dict[str, int]
    files: int
    bytes: int
    missing: list[str] = field(default_factory=list)


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


@contextmanager
def _one_moment() -> Iterator[None]:
    """Reads inside see the database as it was at one moment, without blocking writers."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
        return
    # SQLite: Django opens its write transactions IMMEDIATE (taking the write lock), so a plain
    # deferred one is begun by hand; under WAL it reads one moment while others go on writing.
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            cursor.execute("COMMIT")


def _stored_names() -> list[str]:
    uploads = ImportJob.objects.exclude(upload="").values_list("upload", flat=True)
    return sorted({*files.artifact_names(Snapshot.objects.all()), *uploads})


def _private_file(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)


def backup_write(path: Path, *, overwrite: bool = False) -> Summary:
    """Write a backup of the whole site to `path`; see the module text for what it holds."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise BackupError(f"{path} exists; choose another name or pass --force")
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="linkhome-backup-") as scratch:
        rows = Path(scratch) / DATA
        with _one_moment():
            call_command(
                "dumpdata", exclude=list(EXCLUDED), natural_foreign=True, output=str(rows), verbosity=0
            )
            names = _stored_names()
            counts = {
                "users": User.objects.count(),
                "links": Link.objects.count(),
                "snapshots": Snapshot.objects.count(),
            }
        os.chmod(rows, 0o600)
        files: dict[str, dict[str, object]] = {}
        missing: list[str] = []
        with os.fdopen(_private_file(partial), "wb") as raw, zipfile.ZipFile(
            raw, "w", zipfile.ZIP_DEFLATED, compresslevel=1
        ) as archive:
            archive.write(rows, DATA)
            for name in names:
                digest = _copy_into(archive, name)
                if digest is None:
                    missing.append(name)
                else:
                    files[name] = digest
            manifest = {
                "format": FORMAT,
                "created": timezone.now().isoformat(),
                "engine": connection.vendor,
                "migrations": _applied_migrations(),
                "counts": counts,
                "files": files,
                "missing": missing,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    os.replace(partial, path)
    return Summary(counts, len(files), sum(int(f["size"]) for f in files.values()), missing)


def _copy_into(archive: zipfile.ZipFile, name: str) -> dict[str, object] | None:
    """Copy one stored file into the archive; its size and hash, or None if it is gone."""
    try:
        source = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        return None
    digest, size = hashlib.sha256(), 0
    with source, archive.open(FILES + name, "w", force_zip64=True) as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise BackupError("this file is not a linkhome backup (no readable manifest)") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not one this version reads ({FORMAT})")
    return manifest


def _check_target(manifest: dict) -> None:
    if User.objects.exists() or Link.objects.exists():
        raise BackupError("this site already has users or links: restore only into an empty site")
    here = _applied_migrations()
    newer = sorted(
        f"{app}.{name}" for app, names in manifest["migrations"].items() for name in set(names) - set(here.get(app, ()))
    )
    if newer:
        raise BackupError(f"the backup comes from a newer version; migrate this site first ({', '.join(newer[:5])})")


def _restore_file(archive: zipfile.ZipFile, name: str, expected: dict) -> bool:
    """Write one file to storage under its own name; True if written now (False: already there)."""
    member = FILES + name
    digest = hashlib.sha256()
    with archive.open(member) as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != expected["sha256"]:
        raise BackupError(f"{name}: its contents in the backup do not match their hash (damaged file?)")
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as present:
            same = hashlib.file_digest(present, "sha256").hexdigest() == expected["sha256"]
        if not same:
            raise BackupError(f"{name} already exists here with other contents")
        return False
    with archive.open(member) as source:
        saved = default_storage.save(name, File(source, name=name))
    if saved != name:
        default_storage.delete(saved)
        raise BackupError(f"{name} could not be stored under its own name")
    return True


def backup_restore(path: Path) -> Summary:
    """Restore a backup into this empty site: files, then rows, then the search index."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(f"cannot open {path}: {exc}") from exc
    with archive:
        manifest = _read_manifest(archive)
        _check_target(manifest)
        written: list[str] = []
        try:
            for name, expected in manifest["files"].items():
                if _restore_file(archive, name, expected):
                    written.append(name)
            with tempfile.TemporaryDirectory(prefix="linkhome-restore-") as scratch:
                rows = Path(scratch) / DATA
                with archive.open(DATA) as source, os.fdopen(_private_file(rows), "wb") as target:
                    shutil.copyfileobj(source, target, CHUNK)
                call_command("loaddata", str(rows), verbosity=0)
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise
    cache.clear()  # cached list facts of whatever site lived here before
    indexed = search_document_rebuild_all()
    statistics_refresh(models=[SearchDocument], rows=indexed)
    files = manifest["files"]
    return Summary(manifest["counts"], len(files), sum(int(f["size"]) for f in files.values()), manifest["missing"])
