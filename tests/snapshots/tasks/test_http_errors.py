"""Error answers through the real pipeline: API → PostgreSQL → Redis → Celery worker → Chromium.

A 404 or 500 is kept as evidence and shown as a warning everywhere; a 503 is tried again.
"""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from snapshots.models import Link, Snapshot
from tests.factories import make_share
from tests.snapshots.tasks.conftest import REPORT_TITLE, log_tails
from tests.support.pageserver import hits
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _save(api, url: str) -> tuple[int, int]:
    response = api.post("/api/links/", {"url": url, "tags": ["报告"]}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"], response.json()["snapshots"][0]["id"]


def _finished(snapshot_id: int, worker) -> Snapshot:
    def done() -> Snapshot | None:
        snapshot = Snapshot.objects.get(pk=snapshot_id)
        return snapshot if snapshot.is_finished else None

    try:
        return wait_for(done, timeout=90, what="capture to finish")
    except AssertionError:
        raise AssertionError(log_tails(worker)) from None


def test_404_and_500_keep_their_artifacts_and_show_the_status_everywhere(
    celery_worker, allow_pages, owner_api, client, owner
):
    paths = {404: "/missing.html", 500: "/broken.html"}
    saved = {status: _save(owner_api, allow_pages.url(path)) for status, path in paths.items()}
    for status, (link_id, snapshot_id) in saved.items():
        snapshot = _finished(snapshot_id, celery_worker)
        assert (snapshot.status, snapshot.http_status, snapshot.attempts) == (Snapshot.Status.SUCCEEDED, status, 1)
        for kind in ("screenshot", "html", "pdf", "text"):
            assert default_storage.exists(snapshot.artifacts[kind]), kind
        assert snapshot.title in ("404 Not Found", "Error response")
        link = Link.objects.get(pk=link_id)
        assert (link.title, link.description) == ("", "")
        api = owner_api.get(f"/api/snapshots/{snapshot_id}/").json()
        assert (api["status"], api["http_status"], api["http_error"]) == ("succeeded", status, True)

    client.force_login(owner)
    share = make_share(owner)
    pages = {
        "list": reverse("snapshots:link_list"),
        "link": reverse("snapshots:link_detail", args=[saved[404][0]]),
        "share": reverse("snapshots:share_page", args=[share.token]),
        "feed": reverse("snapshots:share_feed", args=[share.token]),
    }
    for name, url in pages.items():
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
        assert "HTTP 404: the site answered with an error page" in english, name
        assert "HTTP 404：网站返回的是错误页面" in chinese, name
        assert "404 Not Found" not in english and "Error response" not in english, name  # never the link's title
        if name != "link":
            assert "HTTP 500: the site answered with an error page" in english, name


def test_503_is_tried_again_and_the_page_then_captured(celery_worker, allow_pages, owner_api):
    link_id, snapshot_id = _save(owner_api, allow_pages.url("/busy-once.html"))
    snapshot = _finished(snapshot_id, celery_worker)
    assert (snapshot.status, snapshot.http_status, snapshot.attempts) == (Snapshot.Status.SUCCEEDED, 200, 2), (
        log_tails(celery_worker)
    )
    assert hits(allow_pages, "/busy-once.html") == 2
    assert "1349084" in snapshot.text
    assert Link.objects.get(pk=link_id).title == REPORT_TITLE
    assert owner_api.get(f"/api/snapshots/{snapshot_id}/").json()["http_error"] is False


def test_503_on_every_attempt_ends_as_kept_evidence_with_its_status(celery_worker, allow_pages, owner_api, settings):
    link_id, snapshot_id = _save(owner_api, allow_pages.url("/always-busy.html"))
    snapshot = _finished(snapshot_id, celery_worker)
    attempts = settings.CAPTURE_MAX_ATTEMPTS
    assert (snapshot.status, snapshot.http_status, snapshot.attempts) == (Snapshot.Status.SUCCEEDED, 503, attempts)
    assert hits(allow_pages, "/always-busy.html") == attempts
    assert default_storage.exists(snapshot.artifacts["screenshot"])
    assert Link.objects.get(pk=link_id).title == ""
