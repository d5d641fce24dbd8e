"""Captures whose message the broker lost (Redis restarted without its data) are published again
after CAPTURE_LOST_GRACE, not after the whole visibility timeout; ones it still holds are not."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from snapshots import queues
from snapshots.archive import dispatch, lifecycle
from snapshots.models import Snapshot
from tests.factories import make_link, make_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker():
    """The suite's own Redis, emptied (no worker consumes it during these tests)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


def _after_grace():
    return timezone.now() + timedelta(seconds=settings.CAPTURE_LOST_GRACE + 1)


def test_a_capture_the_broker_lost_is_published_again_and_one_it_holds_is_not(owner, broker):
    queued = make_snapshot(make_link(owner), status=Snapshot.Status.QUEUED)
    assert dispatch.enqueue(queued.pk)
    assert queues.held_capture_ids() == {queued.pk}

    assert lifecycle.sweep(now=_after_grace())["lost"] == 0
    assert broker.llen(queues.CAPTURE_QUEUE) == 1  # not sent twice

    broker.flushdb()  # what a Redis restarted without its files holds
    assert lifecycle.sweep(now=timezone.now())["lost"] == 0  # within the grace: left alone
    assert lifecycle.sweep(now=_after_grace())["lost"] == 1
    assert queues.held_capture_ids() == {queued.pk}


def test_a_message_with_a_worker_and_not_yet_acknowledged_counts_as_held(owner, broker):
    bulk = make_snapshot(make_link(owner), status=Snapshot.Status.QUEUED, trigger=Snapshot.Trigger.IMPORT)
    assert dispatch.enqueue(bulk.pk, bulk=True)
    # As kombu hands a message to a worker: off the queue, into the hash of unacknowledged ones.
    raw = broker.rpop(queues.BULK_QUEUE)
    broker.hset("unacked", "tag-1", json.dumps([json.loads(raw), queues.BULK_QUEUE, queues.BULK_QUEUE]))
    assert queues.held_capture_ids() == {bulk.pk}
    assert lifecycle.sweep(now=_after_grace())["lost"] == 0
    assert broker.llen(queues.BULK_QUEUE) == 0


def test_an_unreadable_broker_publishes_nothing_twice(owner, broker, settings):
    queued = make_snapshot(make_link(owner), status=Snapshot.Status.QUEUED)
    assert dispatch.enqueue(queued.pk)
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    assert queues.held_capture_ids() is None
    assert lifecycle.sweep(now=_after_grace())["lost"] == 0
    assert broker.llen(queues.CAPTURE_QUEUE) == 1
