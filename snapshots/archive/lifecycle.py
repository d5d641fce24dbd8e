"""Write paths of the capture lifecycle: request → enqueue → start → finish, and the sweeper.

A snapshot row is the source of truth; the broker only carries its id. That is what makes a
saved link survive a Redis outage (the row stays `queued` and the sweeper enqueues it later)
and a killed worker (the row is `running` with an attempt counted; Celery redelivers, or the
sweeper retries it once the hard time limit has passed).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from snapshots import queues
from snapshots.archive import dispatch, ends, reasons
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
from snapshots.storage import blobs, quota
from snapshots.textclean import clean_line, clean_text

log = logging.getLogger(__name__)

TEXT_DB_LIMIT = 500_000  # characters of page text kept in the row for search and diffs


class CaptureRateExceeded(Exception):
    """The user asked for more captures this hour than CAPTURE_RATE_PER_HOUR allows."""


@dataclass(frozen=True)
class UploadedFile:
    """A page the owner saved in their own browser, vetted by snapshots.links.uploads."""

    data: bytes
    extension: str  # "html" or "mhtml": the capture task tells the engine the format by it


def snapshot_request(
    *, link: Link, trigger: str = Snapshot.Trigger.MANUAL, strict: bool = False, upload: UploadedFile | None = None
) -> Snapshot:
    """Create a snapshot: queued and published after commit if it is the owner's turn, else waiting.

    Over the hourly rate a save still succeeds and its snapshot waits for the pacer; only an
    explicit request (`strict=True`) is refused with CaptureRateExceeded. Imports and schedules
    always start waiting: the dispatcher paces them. With `upload` (a page the owner saved in
    their own browser, already vetted by links.uploads) the file is stored as the snapshot's
    `upload` artifact before the capture can start, and the capture renders it instead of the URL.
    """
    owner_id = link.owner_id
    if trigger in Snapshot.BULK_TRIGGERS and upload is None:
        snapshot = Snapshot.objects.create(
            link=link, owner_id=owner_id, trigger=trigger, status=Snapshot.Status.WAITING
        )
        dispatch.release_after_commit(owner_id)
        return snapshot
    over = dispatch.over_rate(owner_id)
    if over and strict:
        raise CaptureRateExceeded()
    with transaction.atomic():
        dispatch.lock_owner(owner_id)
        turn = not over and dispatch.has_free_slot(owner_id)
        status = Snapshot.Status.QUEUED if turn else Snapshot.Status.WAITING
        snapshot = Snapshot.objects.create(link=link, owner_id=owner_id, trigger=trigger, status=status)
        if upload is not None:
            _keep_upload(snapshot, upload)
    if turn:
        snapshot_id = snapshot.pk
        transaction.on_commit(lambda: dispatch.enqueue(snapshot_id), robust=True)
    return snapshot


def _keep_upload(snapshot: Snapshot, upload: UploadedFile) -> None:
    name = blobs.blob_hold(upload.data, f"upload.{upload.extension}")
    snapshot.source = Snapshot.Source.BROWSER
    snapshot.artifacts, snapshot.sizes = {"upload": name}, {"upload": len(upload.data)}
    snapshot.stored_bytes = len(upload.data)
    snapshot.save(update_fields=["source", "artifacts", "sizes", "stored_bytes"])


def snapshots_request_bulk(*, links: list[Link], trigger: str) -> list[Snapshot]:
    """Waiting snapshots for many links of one owner in one INSERT (imports); the dispatcher paces them."""
    if trigger not in Snapshot.BULK_TRIGGERS:
        raise ValueError(f"{trigger!r} is not a bulk trigger")
    if not links:
        return []
    owners = {link.owner_id for link in links}
    if len(owners) != 1:
        raise ValueError("a bulk request serves one owner")
    owner_id = owners.pop()
    snapshots = Snapshot.objects.bulk_create(
        [Snapshot(link=link, owner_id=owner_id, trigger=trigger, status=Snapshot.Status.WAITING) for link in links]
    )
    dispatch.release_after_commit(owner_id)
    return snapshots


def snapshot_start(snapshot_id: int, task_id: str = "") -> Snapshot | None:
    """Claim a snapshot for capture, or return None when there is nothing to do.

    A running snapshot is taken over only by a redelivery of the same task (its worker died)
    or once its run is older than the hard time limit; a duplicate message is dropped.
    Counting the attempt before the browser runs means a page that kills the worker every
    time runs out of attempts and ends failed instead of looping forever. An owner already
    running CAPTURE_USER_CONCURRENCY captures gets this one back as waiting: their running
    capture releases it when it ends.
    """
    owner_id = Snapshot.objects.filter(pk=snapshot_id).values_list("owner_id", flat=True).first()
    if owner_id is None:
        return None
    with transaction.atomic():
        dispatch.lock_owner(owner_id)
        snapshot = (
            Snapshot.objects.select_for_update().select_related("link").filter(pk=snapshot_id).first()
        )
        if snapshot is None or snapshot.is_finished or snapshot.status == Snapshot.Status.WAITING:
            return None
        if snapshot.status == Snapshot.Status.RUNNING and snapshot.task_id != task_id:
            stale = timezone.now() - timedelta(seconds=settings.CAPTURE_HARD_TIME_LIMIT)
            if snapshot.started and snapshot.started > stale:
                return None
        if snapshot.attempts >= settings.CAPTURE_MAX_ATTEMPTS:
            _fail(snapshot, reasons.GAVE_UP, {"attempts": snapshot.attempts})
            return None
        running = Snapshot.objects.filter(owner_id=owner_id, status=Snapshot.Status.RUNNING)
        if running.exclude(pk=snapshot.pk).count() >= settings.CAPTURE_USER_CONCURRENCY:
            snapshot.status, snapshot.enqueued = Snapshot.Status.WAITING, None
            snapshot.save(update_fields=["status", "enqueued"])
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
    ends.announce_after_commit(snapshot.pk)
    dispatch.release_after_commit(snapshot.link.owner_id)


def snapshot_fail(snapshot_id: int, code: str, params: dict[str, str | int] | None = None) -> None:
    """Record a failure by its reason code (capture.reasons or snapshots.archive.reasons)."""
    with transaction.atomic():
        snapshot = Snapshot.objects.select_for_update().select_related("link").filter(pk=snapshot_id).first()
        if snapshot is not None and not snapshot.is_finished:
            _fail(snapshot, code, params)


def snapshot_retry(*, snapshot: Snapshot) -> bool:
    """Give a failed capture a fresh set of attempts (staff action); returns False if not failed."""
    with transaction.atomic():
        updated = Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.FAILED).update(
            status=Snapshot.Status.WAITING, attempts=0, error="", error_code="", error_params={}, task_id="",
            enqueued=None, finished=None,
        )
        if updated:
            dispatch.release_after_commit(snapshot.link.owner_id)
    return bool(updated)


def snapshot_requeue(snapshot_id: int) -> None:
    """Put a running snapshot back to queued after a transient failure (the task retries)."""
    Snapshot.objects.filter(pk=snapshot_id, status=Snapshot.Status.RUNNING).update(
        status=Snapshot.Status.QUEUED
    )


# Answers that say "try later" rather than "this page is gone": tried again like our own
# transient failures, and kept as evidence only once the attempts run out.
RETRIED_HTTP_STATUSES = frozenset({429, 503})


def http_answer_retried(snapshot: Snapshot, result) -> bool:
    """Put a capture whose page answered 429 or 503 back to queued if it has attempts left.

    The status is kept on the row meanwhile, so the page can say why it waits. On the last
    attempt nothing is done: the capture finishes with the answer as its evidence.
    """
    if not result.ok or result.http_status not in RETRIED_HTTP_STATUSES:
        return False
    if snapshot.attempts >= settings.CAPTURE_MAX_ATTEMPTS:
        return False
    updated = Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.RUNNING).update(
        status=Snapshot.Status.QUEUED, http_status=result.http_status
    )
    return bool(updated)


def snapshot_storage_failed(snapshot_id: int, attempts_left: bool) -> None:
    """Artifacts could not be stored: say so on the row at once; queued for the retry, or failed."""
    if not attempts_left:
        snapshot_fail(snapshot_id, reasons.STORAGE_FAILED)
        return
    Snapshot.objects.filter(pk=snapshot_id, status=Snapshot.Status.RUNNING).update(
        status=Snapshot.Status.QUEUED,
        error_code=reasons.STORAGE_FAILED,
        error_params={},
        error=reasons.reason_english(reasons.STORAGE_FAILED),
    )


def snapshot_finish(snapshot_id: int, result) -> Snapshot | None:
    """Store a CaptureResult's artifacts and record the outcome; tolerate a deleted link.

    `result` is the engine's CaptureResult, used by its attributes only: this module is imported
    by web pages, which must not load the engine. The artifacts are stored by content hash in
    the transaction that records them (snapshots.storage.blobs), under the owner's lock, so the
    quota check and the charge are one step. Raises StorageWriteError when storage fails: nothing
    is recorded then, and the capture can be tried again.
    """
    snapshot = Snapshot.objects.select_related("link", "owner").filter(pk=snapshot_id).first()
    if snapshot is None or snapshot.is_finished:
        return None
    if not result.ok:
        if result.error is None:
            snapshot_fail(snapshot_id, reasons.CAPTURE_FAILED)
        else:
            snapshot_fail(snapshot_id, result.error.code, result.error.params)
        snapshot.refresh_from_db(fields=["status", "error_code", "error_params", "error", "finished"])
        return snapshot
    sizes = {kind: len(artifact.data) for kind, artifact in result.artifacts.items()}
    text = clean_text(result.text)[:TEXT_DB_LIMIT]
    with transaction.atomic():
        dispatch.lock_owner(snapshot.owner_id)
        locked = Snapshot.objects.select_for_update().filter(pk=snapshot_id).first()
        if locked is None or locked.is_finished:
            return None
        limit = quota.quota_bytes(snapshot.owner)
        if limit is not None and (used := quota.used_bytes(snapshot.owner_id)) + sum(sizes.values()) > limit:
            _fail(locked, reasons.OVER_QUOTA, {"used_mb": f"{used / quota.MB:.1f}", "quota_mb": limit // quota.MB})
            return locked
        names = blobs.blobs_hold({kind: (a.filename, a.data) for kind, a in result.artifacts.items()})
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
        locked.reader_text = clean_text(getattr(result, "reader_text", ""))[:TEXT_DB_LIMIT]
        locked.content_hash = hashlib.sha256(text.encode()).hexdigest()
        # The reader's own upload stays beside what was made of it.
        locked.artifacts = {**_kept_upload(locked.artifacts), **names}
        locked.sizes = {**_kept_upload(locked.sizes), **sizes}
        locked.stored_bytes = sum(locked.sizes.values())
        locked.timings = result.timings
        locked.save()
        if not locked.is_http_error:  # an error page's "Not Found" is not the link's title
            _fill_link_from(locked)
        if locked.trigger == Snapshot.Trigger.SCHEDULE:
            locked = snapshot_collapse_unchanged(snapshot=locked)
        link_changed(owner_id=snapshot.link.owner_id, link_ids=[locked.link_id], listing=False)
        ends.announce_after_commit(snapshot_id)
        dispatch.release_after_commit(snapshot.link.owner_id)
    return locked


def _kept_upload(stored: dict | None) -> dict:
    return {"upload": stored["upload"]} if stored and "upload" in stored else {}


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


def _publish_lost(now: datetime) -> int:
    """Publish again the queued snapshots whose message the broker no longer holds (its data was
    lost), once CAPTURE_LOST_GRACE has passed since they were published."""
    published = Snapshot.objects.filter(
        status=Snapshot.Status.QUEUED, enqueued__lt=now - timedelta(seconds=settings.CAPTURE_LOST_GRACE)
    ).values_list("pk", "trigger")[:500]
    rows = list(published)
    if not rows:
        return 0
    held = queues.held_capture_ids()
    if held is None:  # the broker cannot be read: nothing can be published either
        return 0
    lost = [(snap_id, trigger) for snap_id, trigger in rows if snap_id not in held]
    for snap_id, _trigger in lost:
        log.warning("snapshot %s was queued but the broker no longer holds its message: publishing it again", snap_id)
    return sum(dispatch.enqueue(snap_id, bulk=trigger in Snapshot.BULK_TRIGGERS) for snap_id, trigger in lost)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Publish queued snapshots the broker never got or lost; retry or fail runs older than the hard limit.

    Waiting snapshots are the dispatcher's (its pacer releases them), never the sweeper's.
    """
    now = now or timezone.now()
    stale_queue = now - timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])
    stale_run = now - timedelta(seconds=settings.CAPTURE_HARD_TIME_LIMIT + 30)
    counts = {"enqueued": 0, "retried": 0, "failed": 0}
    # A just-queued row is still being published by its own on_commit hook: leave it a moment.
    queued = Snapshot.objects.filter(status=Snapshot.Status.QUEUED).filter(
        Q(enqueued__isnull=True, created__lt=now - timedelta(seconds=settings.CAPTURE_SWEEP_GRACE))
        | Q(enqueued__lt=stale_queue)
    )
    for snap_id, trigger in queued.values_list("pk", "trigger")[:500]:
        counts["enqueued"] += dispatch.enqueue(snap_id, bulk=trigger in Snapshot.BULK_TRIGGERS)
    counts["lost"] = _publish_lost(now)
    for snap_id, attempts, trigger in Snapshot.objects.filter(
        status=Snapshot.Status.RUNNING, started__lt=stale_run
    ).values_list("pk", "attempts", "trigger"):
        if attempts >= settings.CAPTURE_MAX_ATTEMPTS:
            snapshot_fail(snap_id, reasons.ATTEMPTS_TIMED_OUT, {"attempts": attempts})
            counts["failed"] += 1
        else:
            snapshot_requeue(snap_id)
            counts["retried"] += dispatch.enqueue(snap_id, bulk=trigger in Snapshot.BULK_TRIGGERS)
    return counts
