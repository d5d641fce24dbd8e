"""Users take turns on the real workers: one user's backlog never stands in front of another's capture."""

from __future__ import annotations

import pytest

from snapshots.models import Snapshot
from tests.snapshots.tasks.conftest import log_tails
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BACKLOG = 8


def save(api, url: str) -> int:
    response = api.post("/api/links/", {"url": url}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["snapshots"][0]["id"]


def test_a_backlog_of_one_user_runs_one_at_a_time_and_another_user_goes_next(
    celery_worker, allow_pages, owner_api, other_api, owner
):
    flood = [save(owner_api, allow_pages.url(f"/report.html?flood={n}")) for n in range(BACKLOG)]
    mine = save(other_api, allow_pages.url("/report.html?mine"))
    most_running = 0

    def other_done() -> Snapshot | None:
        nonlocal most_running
        running = Snapshot.objects.filter(link__owner=owner, status=Snapshot.Status.RUNNING).count()
        most_running = max(most_running, running)
        snapshot = Snapshot.objects.get(pk=mine)
        return snapshot if snapshot.is_finished else None

    try:
        snapshot = wait_for(other_done, timeout=90, interval=0.1, what="the other user's capture")
    except AssertionError:
        raise AssertionError(log_tails(celery_worker)) from None
    assert snapshot.status == Snapshot.Status.SUCCEEDED, snapshot.error
    # Without turns it would have waited for all eight; with them, for at most the one in flight.
    done_before = Snapshot.objects.filter(pk__in=flood, finished__lte=snapshot.finished).count()
    assert done_before <= 2, done_before
    assert Snapshot.objects.filter(pk__in=flood, status=Snapshot.Status.WAITING).exists()

    def flood_done() -> bool:
        nonlocal most_running
        running = Snapshot.objects.filter(link__owner=owner, status=Snapshot.Status.RUNNING).count()
        most_running = max(most_running, running)
        return not Snapshot.objects.filter(pk__in=flood).exclude(status__in=Snapshot.FINISHED).exists()

    wait_for(flood_done, timeout=120, interval=0.1, what="the backlog to drain, one after another")
    assert set(Snapshot.objects.filter(pk__in=flood).values_list("status", flat=True)) == {"succeeded"}
    assert most_running == 1
