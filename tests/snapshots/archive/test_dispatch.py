"""Fair shares: each owner has a capture or two in flight, the rest wait and are handed out in turn.

These run against the real broker (the suite's Redis): a capture that is the owner's turn is a
message on its queue, one that waits is not. They also run on SQLite (test_sqlite.py).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from snapshots import queues
from snapshots.archive import dispatch, lifecycle
from snapshots.models import Snapshot
from tests.factories import make_link

Status = Snapshot.Status


def published(broker, queue: str) -> list[int]:
    """Snapshot ids of the capture messages on a queue, oldest first."""
    messages = [json.loads(raw) for raw in reversed(broker.lrange(queue, 0, -1))]
    return [int(m["headers"]["argsrepr"].strip("(),")) for m in messages]


def request(owner, n: int, *, trigger=Snapshot.Trigger.SAVE, prefix: str = "p") -> list[Snapshot]:
    return [
        lifecycle.snapshot_request(link=make_link(owner, f"https://example.com/{prefix}{i}"), trigger=trigger)
        for i in range(n)
    ]


def finish(snapshot: Snapshot) -> None:
    Snapshot.objects.filter(pk=snapshot.pk).update(status=Status.SUCCEEDED, finished=timezone.now())


def statuses(snapshots: list[Snapshot]) -> list[str]:
    return [Snapshot.objects.get(pk=s.pk).status for s in snapshots]


def test_one_capture_in_flight_per_owner_the_rest_wait_and_others_are_not_behind_them(
    owner, other, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flood = request(owner, 5)
        theirs = request(other, 1, prefix="b")
    assert statuses(flood) == [Status.QUEUED] + [Status.WAITING] * 4
    assert statuses(theirs) == [Status.QUEUED]
    # The broker holds one message per owner: the other user's capture is second in line, not sixth.
    assert published(broker, queues.CAPTURE_QUEUE) == [flood[0].pk, theirs[0].pk]


def test_an_owners_finished_capture_hands_out_their_next_oldest(owner, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        flood = request(owner, 3)
    finish(flood[0])
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.snapshot_release(owner_id=owner.pk) == 1
    assert statuses(flood) == [Status.SUCCEEDED, Status.QUEUED, Status.WAITING]
    assert published(broker, queues.CAPTURE_QUEUE) == [flood[0].pk, flood[1].pk]
    # Nothing more while that one is in flight.
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.snapshot_release(owner_id=owner.pk) == 0


def test_finishing_a_capture_releases_the_next_after_commit(owner, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = request(owner, 2)
        lifecycle.snapshot_fail(first.pk, "timed_out", {"seconds": 1})
    assert statuses([first, second]) == [Status.FAILED, Status.QUEUED]
    assert published(broker, queues.CAPTURE_QUEUE) == [first.pk, second.pk]


def test_what_the_owner_asked_for_goes_before_their_imports(owner, broker, django_capture_on_commit_callbacks):
    busy = request(owner, 1, prefix="busy")[0]
    imported = lifecycle.snapshots_request_bulk(
        links=[make_link(owner, f"https://example.com/import{i}") for i in range(3)],
        trigger=Snapshot.Trigger.IMPORT,
    )
    asked = request(owner, 1, prefix="asked")[0]
    assert statuses([busy, *imported, asked]) == [Status.QUEUED] + [Status.WAITING] * 4
    finish(busy)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.snapshot_release(owner_id=owner.pk)
    assert Snapshot.objects.get(pk=asked.pk).status == Status.QUEUED
    assert statuses(imported) == [Status.WAITING] * 3
    assert published(broker, queues.CAPTURE_QUEUE) == [asked.pk]


def test_imports_draw_on_a_per_minute_budget_on_the_bulk_queue(
    owner, broker, settings, django_capture_on_commit_callbacks
):
    settings.CAPTURE_USER_CONCURRENCY = 10
    settings.CAPTURE_BULK_PER_MINUTE = 2
    with django_capture_on_commit_callbacks(execute=True):
        imported = lifecycle.snapshots_request_bulk(
            links=[make_link(owner, f"https://example.com/i{i}") for i in range(5)],
            trigger=Snapshot.Trigger.IMPORT,
        )
    assert statuses(imported) == [Status.QUEUED] * 2 + [Status.WAITING] * 3
    assert published(broker, queues.BULK_QUEUE) == [imported[0].pk, imported[1].pk]
    assert published(broker, queues.CAPTURE_QUEUE) == []
    # The pacer hands out no more this minute; a minute later it does.
    assert dispatch.release_waiting() == 0
    Snapshot.objects.filter(enqueued__isnull=False).update(enqueued=timezone.now() - timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.release_waiting() == 2
    assert statuses(imported) == [Status.QUEUED] * 4 + [Status.WAITING]


def test_over_the_hourly_rate_saves_wait_and_only_an_explicit_request_is_refused(
    owner, broker, settings, django_capture_on_commit_callbacks
):
    settings.CAPTURE_USER_CONCURRENCY = 10
    settings.CAPTURE_RATE_PER_HOUR = 2
    saved = []
    for n in range(3):  # three saves, each its own request
        with django_capture_on_commit_callbacks(execute=True):
            saved += request(owner, 1, prefix=f"r{n}-")
    assert statuses(saved) == [Status.QUEUED, Status.QUEUED, Status.WAITING]
    with pytest.raises(lifecycle.CaptureRateExceeded):
        lifecycle.snapshot_request(link=saved[0].link, strict=True)
    assert dispatch.release_waiting() == 0  # still over the rate


def test_a_worker_never_runs_more_than_the_owners_share(owner, settings):
    """Even if two of an owner's captures reach workers together, the second goes back to waiting."""
    first, second = request(owner, 2)
    Snapshot.objects.filter(pk=second.pk).update(status=Status.QUEUED)  # as after a race or an old release
    assert lifecycle.snapshot_start(first.pk, task_id="a") is not None
    assert lifecycle.snapshot_start(second.pk, task_id="b") is None
    assert statuses([first, second]) == [Status.RUNNING, Status.WAITING]
    assert Snapshot.objects.get(pk=second.pk).attempts == 0  # deferring costs no attempt
    settings.CAPTURE_USER_CONCURRENCY = 2
    Snapshot.objects.filter(pk=second.pk).update(status=Status.QUEUED)
    assert lifecycle.snapshot_start(second.pk, task_id="b") is not None


def test_the_sweeper_never_publishes_waiting_captures(owner, broker, settings):
    settings.CAPTURE_SWEEP_GRACE = 0
    waiting = request(owner, 3)[1:]
    Snapshot.objects.filter(pk__in=[s.pk for s in waiting]).update(created=timezone.now() - timedelta(hours=1))
    counts = lifecycle.sweep()
    assert counts["enqueued"] == 1  # only the owner's queued one, whose publish never ran
    assert statuses(waiting) == [Status.WAITING] * 2
    assert set(published(broker, queues.CAPTURE_QUEUE)).isdisjoint(s.pk for s in waiting)


def test_the_pacer_serves_every_owner_with_a_free_slot(owner, other, staff, broker, django_capture_on_commit_callbacks):
    mine = request(owner, 2)
    theirs = request(other, 2, prefix="o")
    finish(mine[0])
    finish(theirs[0])
    request(staff, 1, prefix="s")  # queued, nothing waiting
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.release_waiting() == 2
    assert sorted(published(broker, queues.CAPTURE_QUEUE)) == sorted([mine[1].pk, theirs[1].pk])
