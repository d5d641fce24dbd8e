"""`GET /api/snapshots/<id>/?wait=N`: held until the capture ends, rationed, never held without Redis."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from django.db import connections

from snapshots.archive import ends, lifecycle, reasons, removal
from snapshots.models import Snapshot
from tests.conftest import token_client
from tests.factories import make_link, make_snapshot
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pool():
    with ThreadPoolExecutor(max_workers=4) as executor:
        yield executor


def ask(api, snapshot_id: int, wait: str) -> tuple[int, dict, float]:
    started = time.monotonic()
    try:
        response = api.get(f"/api/snapshots/{snapshot_id}/", {"wait": wait})
    finally:
        connections.close_all()  # this thread's own connection
    return response.status_code, response.json(), time.monotonic() - started


def held(pool: ThreadPoolExecutor, user, snapshot: Snapshot, wait: str = "20") -> Future:
    """A request waiting on `snapshot` in another thread, returned once it is listening."""
    before = ends.listeners(snapshot.pk)
    future = pool.submit(ask, token_client(user), snapshot.pk, wait)
    wait_for(lambda: ends.listeners(snapshot.pk) > before or future.done(), timeout=5, what="the wait to listen")
    return future


def running(owner, url: str = "https://example.com/report") -> Snapshot:
    return make_snapshot(make_link(owner, url), status=Snapshot.Status.RUNNING)


@pytest.fixture
def heard_only(monkeypatch):
    """Held requests look at the row only once subscribed, not every few seconds: only an
    announcement can end their wait early."""
    monkeypatch.setattr(ends, "_RECHECK", 60)


def test_a_held_request_answers_as_soon_as_the_capture_ends(pool, owner, heard_only):
    snapshot = running(owner)
    future = held(pool, owner, snapshot)
    assert not future.done()
    ended_at = time.monotonic()
    lifecycle.snapshot_fail(snapshot.pk, reasons.CAPTURE_FAILED)
    status, body, _seconds = future.result(timeout=15)
    heard_after = time.monotonic() - ended_at
    assert status == 200
    assert body["status"] == "failed" and body["error_code"] == reasons.CAPTURE_FAILED
    assert heard_after < 5, heard_after  # not at the end of its 20 s
    assert ends.held_waits() == 0


def test_an_end_nobody_announced_is_seen_while_held(pool, owner):
    snapshot = running(owner)
    future = held(pool, owner, snapshot)
    Snapshot.objects.filter(pk=snapshot.pk).update(status=Snapshot.Status.FAILED)  # as a staff edit does
    status, body, seconds = future.result(timeout=15)
    assert (status, body["status"]) == (200, "failed")
    assert seconds < 10, seconds


def test_a_capture_deleted_while_held_answers_not_found(pool, owner):
    snapshot = running(owner)
    future = held(pool, owner, snapshot)
    snapshot.link.delete()
    status, _body, seconds = future.result(timeout=15)
    assert status == 404 and seconds < 10, seconds


def test_a_cancelled_capture_ends_the_wait_too(pool, owner, heard_only):
    snapshot = running(owner)
    future = held(pool, owner, snapshot)
    assert removal.snapshots_cancel(owner=owner) == 1
    status, body, seconds = future.result(timeout=15)
    assert (status, body["status"], body["error_code"]) == (200, "failed", reasons.CANCELLED)
    assert seconds < 10


def test_a_wait_without_an_end_answers_at_its_deadline_with_the_status_then(owner):
    snapshot = running(owner)
    status, body, seconds = ask(token_client(owner), snapshot.pk, "0.6")
    assert (status, body["status"]) == (200, "running")
    assert 0.6 <= seconds < 5
    assert ends.held_waits() == 0


def test_a_longer_wait_is_cut_to_the_longest(owner, settings):
    settings.API_WAIT_MAX_SECONDS = 1
    snapshot = running(owner)
    status, body, seconds = ask(token_client(owner), snapshot.pk, "30")
    assert (status, body["status"]) == (200, "running")
    assert 1 <= seconds < 5


def test_an_ended_capture_is_answered_at_once(owner):
    snapshot = make_snapshot(make_link(owner, "https://example.com/done"))
    status, body, seconds = ask(token_client(owner), snapshot.pk, "20")
    assert (status, body["status"]) == (200, "succeeded")
    assert seconds < 5


@pytest.mark.parametrize("wait", ["soon", "-1", "nan", "inf", "1e400"])
def test_a_wait_that_is_not_a_number_of_seconds_is_a_clear_error(owner, wait):
    snapshot = running(owner)
    response = token_client(owner).get(f"/api/snapshots/{snapshot.pk}/", {"wait": wait})
    assert response.status_code == 400
    assert list(response.json()) == ["wait"]


def test_nobody_waits_on_someone_elses_capture(owner, other):
    snapshot = running(owner)
    status, _body, seconds = ask(token_client(other), snapshot.pk, "20")
    assert status == 404 and seconds < 5


def test_waits_are_rationed_per_user_and_on_the_site(pool, owner, other, staff, settings):
    settings.API_WAIT_SLOTS, settings.API_WAITS_PER_USER = 2, 1
    first, second = running(owner, "https://example.com/a"), running(owner, "https://example.com/b")
    others = running(other)
    holding = held(pool, owner, first)
    # The owner's second wait is not held: answered at once with its status.
    status, body, seconds = ask(token_client(owner), second.pk, "20")
    assert (status, body["status"]) == (200, "running") and seconds < 5
    # Another user still waits, and takes the site's last slot ...
    other_holding = held(pool, other, others)
    assert not other_holding.done() and ends.held_waits() == 2
    # ... so a third user's wait is answered at once.
    staff_link = running(staff, "https://example.com/staff")
    status, body, seconds = ask(token_client(staff), staff_link.pk, "20")
    assert (status, body["status"], seconds < 5) == (200, "running", True)
    lifecycle.snapshot_fail(first.pk, reasons.CAPTURE_FAILED)
    lifecycle.snapshot_fail(others.pk, reasons.CAPTURE_FAILED)
    assert holding.result(timeout=15)[1]["status"] == "failed"
    assert other_holding.result(timeout=15)[1]["status"] == "failed"
    assert ends.held_waits() == 0


def test_a_short_wait_never_cuts_short_the_slot_of_a_long_one(pool, owner, other):
    long_wait = held(pool, owner, running(owner))
    assert ask(token_client(other), running(other).pk, "0.1")[1]["status"] == "running"
    # The slot sets live as long as the longest wait could, whoever came last.
    assert ends._redis().ttl(ends._SLOTS_KEY) > 20
    assert ends.held_waits() == 1 and not long_wait.done()
    removal.snapshots_cancel(owner=owner)
    assert long_wait.result(timeout=15)[1]["status"] == "failed"


def test_without_redis_the_answer_comes_at_once(owner, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    snapshot = running(owner)
    status, body, seconds = ask(token_client(owner), snapshot.pk, "20")
    assert (status, body["status"]) == (200, "running")
    assert seconds < 5
    lifecycle.snapshot_fail(snapshot.pk, reasons.CAPTURE_FAILED)  # announcing fails quietly
    assert Snapshot.objects.get(pk=snapshot.pk).status == Snapshot.Status.FAILED
