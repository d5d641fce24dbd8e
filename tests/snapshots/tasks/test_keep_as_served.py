"""The link's switch reaches the capture: by default a consent dialog is hidden in the screenshot
and the snapshot's note says so; a link kept as served is captured with the dialog and no such note."""

from __future__ import annotations

import pytest

from snapshots.archive.reasons import note_text
from snapshots.models import Snapshot
from tests.snapshots.tasks.conftest import log_tails
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _captured(owner_api, url: str, keep: bool, worker) -> Snapshot:
    response = owner_api.post("/api/links/", {"url": url, "keep_as_served": keep}, format="json")
    assert response.status_code == 201, response.content
    snapshot_id = response.json()["snapshots"][0]["id"]

    def finished() -> Snapshot | None:
        snapshot = Snapshot.objects.get(pk=snapshot_id)
        return snapshot if snapshot.is_finished else None

    try:
        snapshot = wait_for(finished, timeout=90, what="capture to finish")
    except AssertionError:
        raise AssertionError(log_tails(worker)) from None
    assert snapshot.status == Snapshot.Status.SUCCEEDED, snapshot.error
    return snapshot


def test_a_link_kept_as_served_has_its_dialog_left_alone(celery_worker, allow_pages, owner_api):
    hidden = _captured(owner_api, allow_pages.url("/overlays/cookie.html"), False, celery_worker)
    assert [r["code"] for r in hidden.note_reasons] == ["consent_hidden"]
    assert "Onetrust" in hidden.note and "without answering" in note_text(hidden)
    kept = _captured(owner_api, allow_pages.url("/overlays/cookie.html?kept"), True, celery_worker)
    assert kept.note_reasons == [] and kept.note == ""
    assert not [path for path in allow_pages.requests if path.startswith("/overlays/clicked")]
