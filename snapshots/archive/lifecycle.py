"""Write paths of the capture lifecycle: request → enqueue → start → finish, and the sweeper.

A snapshot row is the source of truth; the broker only carries its id. That is what makes a
saved link survive a Redis outage (the row stays `queued` and the sweeper enqueues it later)
and a killed worker (the row is `running` with an attempt counted; Celery redelivers, or the
sweeper retries it once the hard time limit has passed).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from snapshots import queues
from snapshots.archive import reasons
from snapshots.archive.diffing import snapshot_collapse_unchanged
from snapshots.models import (
    CHARSET_MAX_LENGTH,
    CONTENT_TYPE_MAX_LENGTH,
    LANGUAGE_MAX_LENGTH,
    SNAPSHOT_DESCRIPTION_MAX_LENGTH,
    SNAPSHOT_ERROR_MAX_LENGTH,
    SNAPSHOT_NOTE_MAX_LENGTH,
    TASK_ID_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
    Link,
    Snapshot,
)
from snapshots.search.changes import link_changed
from snapshots.storage import files
from snapshots.textclean import clean_line, clean_text

TEXT_DB_LIMIT = 500_000  # characters of page text kept in the row for search and diffs
BULK_TRIGGERS = (Snapshot.Trigger.IMPORT, Snapshot.Trigger.SCHEDULE)


class CaptureRateExceeded(Exception):
    """The user asked for more captures this hour than CAPTURE_RATE_PER_HOUR allows."""


def captures_this_hour(owner_id: int) -> int:
    """Interactive captures handed to the broker in the last hour (held-back ones don't count)."""
    since = timezone.now() - timedelta(hours=1)
    return (
        Snapshot.objects.filter(link__owner_id=owner_id, enqueued__gte=since)
        .exclude(trigger__in=BULK_TRIGGERS)
        .count()
    )


def over_rate(owner_id: int) -> bool:
    limit = settings.CAPTURE_RATE_PER_HOUR
    return bool(limit) and captures_this_hour(owner_id) >= limit


def snapshot_request(*, link: Link, trigger: str = Snapshot.Trigger.MANUAL, strict: bool = False) -> Snapshot:
    """Create a queued snapshot and enqueue it after commit.

    Over the hourly rate a save still succeeds and its snapshot waits `queued` for the sweeper;
    only an explicit request (`strict=True`) is refused with CaptureRateExceeded.
    """
    interactive = trigger not in BULK_TRIGGERS
    held_back = interactive and over_rate(link.owner_id)
    if held_back and strict:
        raise CaptureRateExceeded()
    snapshot = Snapshot.objects.create(link=link, trigger=trigger)
    if not held_back:
        snapshot_id = snapshot.pk
        transaction.on_commit(lambda: enqueue(snapshot_id, bulk=not interactive), robust=True)
    return snapshot


def snapshots_request_bulk(*, links: list[Link], trigger: str) -> list[Snapshot]:
    """Queued snapshots for many links in one INSERT (imports), enqueued together after commit.

    Bulk triggers are not rate-limited: they go to the paced `bulk` queue.
    """
    if trigger not in BULK_TRIGGERS:
        raise ValueError(f"{trigger!r} is not a bulk trigger")
    snapshots = Snapshot.objects.bulk_create([Snapshot(link=link, trigger=trigger) for link in links])
    ids = [snapshot.pk for snapshot in snapshots]

    def enqueue_all() -> None:
        for snapshot_id in ids:
            enqueue(snapshot_id, bulk=True)

    transaction.on_commit(enqueue_all, robust=True)
    return snapshots


def enqueue(snapshot_id: int, *, bulk: bool = False) -> bool:
    """Publish the capture task; on broker trouble the row stays for the sweeper."""
    if not queues.send(queues.CAPTURE_TASK, snapshot_id, queue=queues.BULK_QUEUE if bulk else queues.CAPTURE_QUEUE):
        return False
    Snapshot.objects.filter(pk=snapshot_id).update(enqueued=timezone.now())
    return True


def snapshot_start(snapshot_id: int, task_id: str = "") -> Snapshot | None:
    """Claim a snapshot for capture, or return None when there is nothing to do.

    A running snapshot is taken over only by a redelivery of the same task (its worker died)
    or once its run is older than the hard time limit; a duplicate message is dropped.
    Counting the attempt before the browser runs means a page that kills the worker every
    time runs out of attempts and ends failed instead of looping forever.
    """
    with transaction.atomic():
        snapshot = (
            Snapshot.objects.select_for_update().select_related("link").filter(pk=snapshot_id).first()
        )
        if snapshot is None or snapshot.is_finished:
            return None
        if snapshot.status == Snapshot.Status.RUNNING and snapshot.task_id != task_id:
            stale = timezone.now() - timedelta(seconds=settings.CAPTURE_HARD_TIME_LIMIT)
            if snapshot.started and snapshot.started > stale:
                return None
        if snapshot.attempts >= settings.CAPTURE_MAX_ATTEMPTS:
            _fail(snapshot, reasons.GAVE_UP, {"attempts": snapshot.attempts})
            return None
        snapshot.attempts += 1
        snapshot.status = Snapshot.Status.RUNNING
        snapshot.started = timezone.now()
        snapshot.task_id = task_id[:TASK_ID_MAX_LENGTH]
        snapshot.save(update_fields=["attempts", "status", "started", "task_id"])
    return snapshot


def _fail(snapshot: Snapshot, code: str, params: dict[str, str | int] | None = None) -> None:
    snapshot.status = Snapshot.Status.FAILED
    snapshot.error_code = code
    # A parameter can be a whole URL or an OS error: each is cut like the English text it words.
    snapshot.error_params = {
        name: value[:SNAPSHOT_ERROR_MAX_LENGTH] if isinstance(value, str) else value
        for name, value in (params or {}).items()
    }
    snapshot.error = reasons.reason_english(code, params)[:SNAPSHOT_ERROR_MAX_LENGTH]
    snapshot.finished = timezone.now()
    snapshot.save(update_fields=["status", "error", "error_code", "error_params", "finished"])


def snapshot_fail(snapshot_id: int, code: str, params: dict[str, str | int] | None = None) -> None:
    """Record a failure by its reason code (capture.reasons or snapshots.archive.reasons)."""
    with transaction.atomic():
        snapshot = Snapshot.objects.select_for_update().filter(pk=snapshot_id).first()
        if snapshot is not None and not snapshot.is_finished:
            _fail(snapshot, code, params)


def snapshot_retry(*, snapshot: Snapshot) -> bool:
    """Give a failed capture a fresh set of attempts (staff action); returns False if not failed."""
    with transaction.atomic():
        updated = Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.FAILED).update(
            status=Snapshot.Status.QUEUED, attempts=0, error="", error_code="", error_params={}, task_id="",
            enqueued=None, finished=None,
        )
        if updated:
            snapshot_id = snapshot.pk
            transaction.on_commit(lambda: enqueue(snapshot_id), robust=True)
    return bool(updated)


def snapshot_requeue(snapshot_id: int) -> None:
    """Put a running snapshot back to queued after a transient failure (the task retries)."""
    Snapshot.objects.filter(pk=snapshot_id, status=Snapshot.Status.RUNNING).update(
        status=Snapshot.Status.QUEUED
    )


def _artifact_prefix(snapshot: Snapshot) -> str:
    return files.snapshot_folder(snapshot.link.owner_id, snapshot.link_id, snapshot.pk)


def snapshot_finish(snapshot_id: int, result) -> Snapshot | None:
    """Store a CaptureResult's artifacts and record the outcome; tolerate a deleted link.

    `result` is the engine's CaptureResult, used by its attributes only: this module is imported
    by web pages, which must not load the engine.
    """
    snapshot = Snapshot.objects.select_related("link").filter(pk=snapshot_id).first()
    if snapshot is None or snapshot.is_finished:
        return None
    if not result.ok:
        if result.error is None:
            snapshot_fail(snapshot_id, reasons.CAPTURE_FAILED)
        else:
            snapshot_fail(snapshot_id, result.error.code, result.error.params)
        return snapshot
    prefix = _artifact_prefix(snapshot)
    names: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for kind, artifact in result.artifacts.items():
        names[kind] = default_storage.save(f"{prefix}/{artifact.filename}", ContentFile(artifact.data))
        sizes[kind] = len(artifact.data)
    text = clean_text(result.text)[:TEXT_DB_LIMIT]
    with transaction.atomic():
        locked = Snapshot.objects.select_for_update().filter(pk=snapshot_id).first()
        if locked is None or locked.is_finished:
            transaction.on_commit(lambda: files.delete_artifact_files(names.values()))
            return None
        locked.status = Snapshot.Status.SUCCEEDED
        locked.error, locked.error_code, locked.error_params = "", "", {}
        notes = "\n".join(reasons.reason_english(n.code, n.params) for n in result.notes)
        locked.note = notes[:SNAPSHOT_NOTE_MAX_LENGTH]
        locked.note_reasons = [{"code": n.code, "params": dict(n.params)} for n in result.notes]
        locked.finished = locked.last_checked = timezone.now()
        locked.final_url = result.final_url[:URL_MAX_LENGTH]
        locked.http_status = result.http_status
        locked.content_type = result.content_type[:CONTENT_TYPE_MAX_LENGTH]
        locked.title = clean_line(result.title, TITLE_MAX_LENGTH)
        locked.description = clean_text(result.description)[:SNAPSHOT_DESCRIPTION_MAX_LENGTH]
        locked.language = result.language[:LANGUAGE_MAX_LENGTH]
        locked.charset = result.charset[:CHARSET_MAX_LENGTH]
        locked.text = text
        locked.content_hash = hashlib.sha256(text.encode()).hexdigest()
        locked.artifacts = names
        locked.sizes = sizes
        locked.timings = result.timings
        locked.save()
        _fill_link_from(locked)
        if locked.trigger == Snapshot.Trigger.SCHEDULE:
            locked = snapshot_collapse_unchanged(snapshot=locked)
        link_changed(owner_id=snapshot.link.owner_id, link_ids=[locked.link_id], listing=False)
    return locked


def _fill_link_from(snapshot: Snapshot) -> None:
    """Fill an empty title/description of the link from its capture."""
    link = Link.objects.select_for_update().get(pk=snapshot.link_id)
    changed = []
    if not link.title and snapshot.title:
        link.title = snapshot.title
        changed.append("title")
    if not link.description and snapshot.description:
        link.description = snapshot.description
        changed.append("description")
    if changed:
        link.save(update_fields=[*changed, "updated"])


def next_scheduled_capture(schedule: str, now: datetime | None = None) -> datetime | None:
    now = now or timezone.now()
    return {"daily": now + timedelta(days=1), "weekly": now + timedelta(days=7)}.get(schedule)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Re-enqueue queued snapshots never picked up; retry or fail runs older than the hard limit."""
    now = now or timezone.now()
    stale_queue = now - timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])
    stale_run = now - timedelta(seconds=settings.CAPTURE_HARD_TIME_LIMIT + 30)
    counts = {"enqueued": 0, "retried": 0, "failed": 0}
    # A just-saved row is still being published by its own on_commit hook: leave it a moment.
    queued = Snapshot.objects.filter(status=Snapshot.Status.QUEUED).filter(
        Q(enqueued__isnull=True, created__lt=now - timedelta(seconds=settings.CAPTURE_SWEEP_GRACE))
        | Q(enqueued__lt=stale_queue)
    )
    for snap_id, owner_id, trigger, enqueued in queued.values_list(
        "pk", "link__owner_id", "trigger", "enqueued"
    )[:500]:
        bulk = trigger in BULK_TRIGGERS
        if enqueued is None and not bulk and over_rate(owner_id):
            continue  # held back by the hourly rate; it waits its turn
        counts["enqueued"] += enqueue(snap_id, bulk=bulk)
    for snap_id, attempts in Snapshot.objects.filter(
        status=Snapshot.Status.RUNNING, started__lt=stale_run
    ).values_list("pk", "attempts"):
        if attempts >= settings.CAPTURE_MAX_ATTEMPTS:
            snapshot_fail(snap_id, reasons.ATTEMPTS_TIMED_OUT, {"attempts": attempts})
            counts["failed"] += 1
        else:
            snapshot_requeue(snap_id)
            counts["retried"] += enqueue(snap_id)
    return counts

