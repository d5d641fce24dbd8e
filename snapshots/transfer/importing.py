"""Write paths of bookmark imports: accept an upload, run the job in batches, re-enqueue.

The upload is kept in storage and the task carries only the job id, like captures: a broker
outage leaves the job `queued` for the sweeper. Each batch commits its links together with
the job's `done` counter, so a re-run (redelivery, sweeper, a second worker) resumes after
the last committed batch and never inserts a link twice.

A run is bounded in time: after IMPORT_SOFT_TIME_LIMIT seconds it takes no new batch (and
the task's Celery limits interrupt one in flight), and the job ends failed with a reason
code, keeping every link saved until then. A run that died without saying so (killed at the
hard limit) is failed the same way by the sweeper once no redelivery can still come.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from accounts.models import User
from snapshots import queues
from snapshots.archive import lifecycle, reasons
from snapshots.links.services import clean_link_url
from snapshots.links.tagging import clean_tag_names, tag_get_or_create
from snapshots.models import (
    DESCRIPTION_MAX_LENGTH,
    IMPORT_ERROR_MAX_LENGTH,
    TAG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ImportJob,
    Link,
    Snapshot,
    TaggedLink,
)
from snapshots.search.changes import BulkWrite, link_changed
from snapshots.textclean import clean_line, clean_text
from snapshots.transfer import skips
from snapshots.transfer.bookmarkfile import Bookmark, count_anchors, read_bookmarks

log = logging.getLogger(__name__)

BATCH = 500
# SQLite has one write lock for the whole database, and its busy handler does not queue the
# writers that wait for it: a run committing big batches back to back (at the service worker's
# low CPU priority) kept a capture finishing or a user saving waiting for seconds. There it
# writes smaller batches (the most rows one INSERT takes: 999 parameters, 12 a search document,
# the widest row a batch inserts) and, after each, leaves the lock free for as long as it held it.
SQLITE_BATCH = 83
SQLITE_YIELD_MAX = 1.0  # s
SKIPPED_LIMIT = 10_000  # entries kept in the report; the count in `done - created` stays exact
ENQUEUE_GRACE = timedelta(seconds=10)


class ImportTooLarge(ValidationError):
    pass


class _Superseded(Exception):
    """Another run of the same job committed this batch first."""


def import_job_create(*, owner: User, upload: UploadedFile, capture: bool = False) -> ImportJob:
    """Store the upload, count its links for the progress bar and queue the job after commit."""
    if upload.size > settings.IMPORT_MAX_BYTES:
        message = _("The file is larger than %(size)s, the largest the site accepts.")
        raise ImportTooLarge({"file": [message % {"size": filesizeformat(settings.IMPORT_MAX_BYTES)}]})
    upload.seek(0)
    total = count_anchors(upload)
    upload.seek(0)
    name = default_storage.save(f"imports/{owner.pk}/{uuid.uuid4().hex}.html", upload)
    with transaction.atomic():
        job = ImportJob.objects.create(owner=owner, upload=name, capture=capture, total=total)
        job_id = job.pk
        transaction.on_commit(lambda: import_job_enqueue(job_id), robust=True)
    return job


def import_job_enqueue(job_id: int) -> bool:
    """Publish the import task; on broker trouble the job stays queued for the sweeper."""
    if not queues.send(queues.IMPORT_TASK, job_id):
        return False
    ImportJob.objects.filter(pk=job_id).update(enqueued=timezone.now())
    return True


def import_jobs_sweep(now: datetime | None = None) -> int:
    """Re-enqueue jobs the broker never got, or whose message was lost long ago."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])
    waiting = ImportJob.objects.filter(status=ImportJob.Status.QUEUED).filter(
        enqueued__isnull=True, created__lt=now - ENQUEUE_GRACE
    ) | ImportJob.objects.filter(status=ImportJob.Status.QUEUED, enqueued__lt=stale)
    return sum(import_job_enqueue(pk) for pk in waiting.values_list("pk", flat=True)[:100])


def _tag_cache_get(cache: dict[str, Tag], name: str) -> Tag:
    key = name.casefold()
    if key not in cache:
        cache[key] = tag_get_or_create(name)
    return cache[key]


def _skip(bookmark: Bookmark, code: str, params: dict[str, object] | None = None) -> dict[str, object]:
    return skips.skip_entry(line=bookmark.line, url=bookmark.url, code=code, params=params)


def _url_error(exc: ValidationError) -> dict[str, object]:
    """The URL check's code and parameters, which the page words in its reader's language."""
    errors = getattr(exc, "error_dict", {}).get("url") or exc.error_list
    first = errors[0]
    return {"error": first.code or "invalid", **(first.params or {})}


def _tag_names(raw: Iterable[str]) -> list[str]:
    return clean_tag_names(name[:TAG_MAX_LENGTH] for name in raw)


def _insert(job: ImportJob, batch: list[Bookmark], seen: set[str], tags: dict[str, Tag]) -> tuple[int, list]:
    """Insert one batch's new links with their tags; returns (created, skipped entries)."""
    skipped: list[dict[str, object]] = []
    candidates: list[tuple[Bookmark, str]] = []
    for bookmark in batch:
        try:
            url = clean_link_url(bookmark.url)
        except ValidationError as exc:
            skipped.append(_skip(bookmark, skips.INVALID_URL, _url_error(exc)))
            continue
        if url in seen:
            skipped.append(_skip(bookmark, skips.DUPLICATE))
            continue
        seen.add(url)
        candidates.append((bookmark, url))
    existing = set(
        Link.objects.filter(owner=job.owner_id, url__in=[u for _b, u in candidates]).values_list("url", flat=True)
    )
    now = timezone.now()
    new: list[tuple[Bookmark, Link]] = []
    for bookmark, url in candidates:
        if url in existing:
            skipped.append(_skip(bookmark, skips.EXISTS))
            continue
        link = Link(
            owner_id=job.owner_id,
            url=url,
            title=clean_line(bookmark.title, TITLE_MAX_LENGTH),
            description=clean_text(bookmark.description)[:DESCRIPTION_MAX_LENGTH],
            unread=bookmark.unread,
            keep_as_served=bookmark.keep_as_served,
            created=bookmark.added or now,
        )
        new.append((bookmark, link))
    Link.objects.bulk_create([link for _b, link in new])
    link_tags = [(link, [_tag_cache_get(tags, name) for name in _tag_names(bookmark.tags)]) for bookmark, link in new]
    TaggedLink.objects.bulk_create(
        [TaggedLink(content_object=link, tag=tag) for link, link_tag_rows in link_tags for tag in link_tag_rows],
        ignore_conflicts=True,
    )
    link_changed(
        owner_id=job.owner_id, created=[(link, [t.name for t in rows]) for link, rows in link_tags], listing=False
    )
    if job.capture and new:
        lifecycle.snapshots_request_bulk(links=[link for _b, link in new], trigger=Snapshot.Trigger.IMPORT)
    return len(new), skipped


def batch_size() -> int:
    """Bookmarks a run commits together."""
    return SQLITE_BATCH if connection.vendor == "sqlite" else BATCH


def _yield_write_lock(held: float) -> None:
    if connection.vendor == "sqlite":
        time.sleep(min(held, SQLITE_YIELD_MAX))


def _commit_batch(
    job: ImportJob, start: int, batch: list[Bookmark], seen: set[str], tags: dict, bulk: BulkWrite
) -> ImportJob:
    began = time.monotonic()
    for attempt in range(2):
        try:
            with transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                if locked.done != start or locked.status != ImportJob.Status.RUNNING:
                    raise _Superseded()
                batch_seen = set(seen)
                created, skipped = _insert(locked, batch, batch_seen, tags)
                locked.done = start + len(batch)
                locked.created_links += created
                room = SKIPPED_LIMIT - len(locked.skipped)
                locked.skipped = locked.skipped + skipped[: max(room, 0)]
                locked.save(update_fields=["done", "created_links", "skipped"])
        except IntegrityError:
            # Someone saved one of these URLs between our check and the insert: check again.
            tags.clear()
            if attempt:
                raise
            continue
        seen.update(batch_seen)
        bulk.batch_committed(rows=created)
        _yield_write_lock(time.monotonic() - began)
        return locked
    raise AssertionError("unreachable")


def import_job_run(job_id: int) -> ImportJob | None:
    """Run (or resume) a job to its end or its time limit. Safe to call for a job that is done
    or running elsewhere.

    The clock is read after each committed batch, so every run saves at least one batch and a
    job resumed again and again still moves on.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED):
            return job
        job.status = ImportJob.Status.RUNNING
        job.started = timezone.now()
        job.save(update_fields=["status", "started"])
    # The list facts and statistics follow the batches at a pace, and once more however the run ends.
    bulk = BulkWrite(owner_id=job.owner_id)
    try:
        return _run(job, bulk)
    finally:
        bulk.finished()


def _run(job: ImportJob, bulk: BulkWrite) -> ImportJob:
    job_id = job.pk
    deadline = time.monotonic() + settings.IMPORT_SOFT_TIME_LIMIT
    seen: set[str] = set()
    tags: dict[str, Tag] = {}
    size = batch_size()
    try:
        with default_storage.open(job.upload, "rb") as stream:
            batch: list[Bookmark] = []
            start = index = 0
            for index, bookmark in enumerate(read_bookmarks(stream), start=1):
                if index <= job.done:
                    _remember(seen, bookmark)
                    continue
                if not batch:
                    start = index - 1
                batch.append(bookmark)
                if len(batch) >= size:
                    job = _commit_batch(job, start, batch, seen, tags, bulk)
                    batch = []
                    if time.monotonic() >= deadline:
                        return import_job_time_out(job_id)
            if batch:
                job = _commit_batch(job, start, batch, seen, tags, bulk)
    except _Superseded:
        return ImportJob.objects.get(pk=job_id)
    except (OSError, UnicodeError):
        log.exception("import %s failed", job_id)
        return _finish(job_id, ImportJob.Status.FAILED, reasons.IMPORT_UNREADABLE)
    return _finish(job_id, ImportJob.Status.SUCCEEDED, total=index)


def import_job_time_out(job_id: int) -> ImportJob | None:
    """End a job that reached its time limit as failed; the links it saved stay."""
    return _finish(
        job_id, ImportJob.Status.FAILED, reasons.IMPORT_TIMED_OUT, {"seconds": settings.IMPORT_SOFT_TIME_LIMIT}
    )


def import_jobs_fail_stale(now: datetime | None = None) -> int:
    """Fail running jobs whose run can no longer be alive: it began longer ago than the hard
    time limit plus the broker's redelivery timeout (a redelivery would have restarted it)."""
    now = now or timezone.now()
    limit = settings.IMPORT_HARD_TIME_LIMIT + settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    cutoff = now - timedelta(seconds=limit)
    # Jobs left running by a release without `started` count from their creation.
    stale = Q(status=ImportJob.Status.RUNNING) & (
        Q(started__lt=cutoff) | Q(started__isnull=True, created__lt=cutoff)
    )
    params = {"seconds": settings.IMPORT_SOFT_TIME_LIMIT}
    failed = 0
    for job_id in ImportJob.objects.filter(stale).values_list("pk", flat=True)[:100]:
        failed += _finish(job_id, ImportJob.Status.FAILED, reasons.IMPORT_TIMED_OUT, params, only_if=stale) is not None
    return failed


def _remember(seen: set[str], bookmark: Bookmark) -> None:
    try:
        seen.add(clean_link_url(bookmark.url))
    except ValidationError:
        return


def _finish(
    job_id: int,
    status: str,
    code: str = "",
    params: dict[str, int | str] | None = None,
    *,
    total: int | None = None,
    only_if: Q | None = None,
) -> ImportJob | None:
    """Record a job's end; a job already finished (or, with `only_if`, no longer matching it) is left as it is."""
    with transaction.atomic():
        jobs = ImportJob.objects.select_for_update().filter(pk=job_id)
        job = (jobs.filter(only_if) if only_if is not None else jobs).first()
        if job is None or job.status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED):
            return job if only_if is None else None
        job.status = status
        job.error_code = code
        job.error_params = params or {}
        job.error = reasons.reason_english(code, params)[:IMPORT_ERROR_MAX_LENGTH] if code else ""
        job.finished = timezone.now()
        if total is not None:
            job.total = job.done = total
        job.save(update_fields=["status", "error", "error_code", "error_params", "finished", "total", "done"])
        if status == ImportJob.Status.SUCCEEDED:
            name = job.upload
            transaction.on_commit(lambda: default_storage.delete(name))
    return job
