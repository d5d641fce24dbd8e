"""The whole pipeline with real parts: API → PostgreSQL → Redis → Celery worker → Chromium → storage."""

from __future__ import annotations

import os

import pytest
import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.services import user_delete
from snapshots.models import Link, Snapshot, StoredFile
from tests.snapshots.tasks.conftest import REPORT_TITLE, log_tails
from tests.support.pageserver import hits
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def finished(snapshot_id: int) -> Snapshot | None:
    snapshot = Snapshot.objects.get(pk=snapshot_id)
    return snapshot if snapshot.is_finished else None


def test_saved_link_is_captured_with_exact_chinese_text(celery_worker, allow_pages, owner_api, client, owner):
    response = owner_api.post(
        "/api/links/", {"url": allow_pages.url("/report.html"), "tags": ["报告"]}, format="json"
    )
    assert response.status_code == 201, response.content
    snapshot_id = response.json()["snapshots"][0]["id"]
    try:
        snapshot = wait_for(lambda: finished(snapshot_id), timeout=90, what="capture to finish")
    except AssertionError:
        raise AssertionError(log_tails(celery_worker)) from None
    assert snapshot.status == Snapshot.Status.SUCCEEDED, snapshot.error
    assert snapshot.http_status == 200
    assert "1349084" in snapshot.text and "粮食产量" in snapshot.text
    assert "政务公开" in snapshot.text
    for kind in ("screenshot", "thumbnail", "html", "dom", "pdf", "text"):
        assert default_storage.exists(snapshot.artifacts[kind]), kind
        assert snapshot.sizes[kind] > 0
    link = Link.objects.get(pk=response.json()["id"])
    assert link.title == REPORT_TITLE  # filled from the capture because the user left it empty
    # The web goes before a capture's own work, and that before its browser.
    for pid in celery_worker.pool_children():
        assert os.getpriority(os.PRIO_PROCESS, pid) == settings.CAPTURE_WORKER_NICE

    api_snapshot = owner_api.get(f"/api/snapshots/{snapshot_id}/").json()
    assert api_snapshot["status"] == "succeeded"
    assert set(api_snapshot["artifacts"]) == set(Snapshot.ARTIFACT_KINDS)
    assert api_snapshot["artifacts"]["original"] is None
    client.force_login(owner)
    archived = client.get(api_snapshot["artifacts"]["html"])
    assert archived.status_code == 200
    assert "sandbox" in archived["Content-Security-Policy"]
    body = b"".join(archived.streaming_content).decode()
    assert "粮食产量" in body and "<script" not in body.lower()


def test_spinning_page_fails_at_once_with_a_reason_and_the_worker_goes_on(celery_worker, allow_pages, owner_api):
    ids = [
        owner_api.post("/api/links/", {"url": allow_pages.url(path)}, format="json").json()["snapshots"][0]["id"]
        for path in ("/spin.html", "/report.html")
    ]
    spun, report = (wait_for(lambda i=i: finished(i), timeout=90, what="capture to finish") for i in ids)
    assert (spun.status, spun.error_code, spun.attempts) == (Snapshot.Status.FAILED, "page_unresponsive", 1), (
        log_tails(celery_worker)
    )
    assert spun.error == "the page stopped responding: its scripts kept the browser busy"
    assert report.status == Snapshot.Status.SUCCEEDED, report.error


def test_capture_again_makes_a_new_version(celery_worker, allow_pages, owner_api):
    link_id = owner_api.post("/api/links/", {"url": allow_pages.url("/report.html")}, format="json").json()["id"]
    first = Snapshot.objects.get(link_id=link_id)
    wait_for(lambda: finished(first.pk), timeout=90, what="first capture")
    ends_heard = redis.Redis.from_url(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
    ends_heard.psubscribe("*:snapshot-ended:*")
    response = owner_api.post(f"/api/links/{link_id}/capture/")
    assert response.status_code == 201
    # The client waits on the capture instead of polling, and hears of its end, not of its 20 s passing.
    for _ask in range(5):
        waited = owner_api.get(f"/api/snapshots/{response.json()['id']}/", {"wait": "20"}).json()
        heard = timezone.now()
        if waited["status"] in ("succeeded", "failed"):
            break
    second = Snapshot.objects.get(pk=response.json()["id"])
    assert (waited["status"], second.status) == ("succeeded", Snapshot.Status.SUCCEEDED), log_tails(celery_worker)
    assert (heard - second.finished).total_seconds() < 5
    channels: list[str] = []

    def announced() -> bool:
        if message := ends_heard.get_message(timeout=0.1):
            channels.append(message["channel"].decode())
        return any(name.endswith(f":snapshot-ended:{second.pk}") for name in channels)

    wait_for(announced, timeout=5, what="the worker's announcement")
    ends_heard.close()
    versions = owner_api.get(f"/api/links/{link_id}/").json()["snapshots"]
    assert [v["id"] for v in versions] == [second.pk, first.pk]  # newest first


def test_capture_rate_answers_429_but_saving_never_refused(celery_worker, allow_pages, owner_api, settings):
    settings.CAPTURE_RATE_PER_HOUR = 1
    first = owner_api.post("/api/links/", {"url": allow_pages.url("/report.html")}, format="json")
    assert first.status_code == 201
    second = owner_api.post("/api/links/", {"url": allow_pages.url("/report.html?2")}, format="json")
    assert second.status_code == 201  # saved; its capture waits its turn
    held = Snapshot.objects.get(link_id=second.json()["id"])
    assert held.status == Snapshot.Status.WAITING and held.enqueued is None
    assert owner_api.post(f"/api/links/{first.json()['id']}/capture/").status_code == 429


def test_search_finds_chinese_phrase_deep_inside_a_captured_gbk_report(celery_worker, allow_pages, owner_api):
    url = allow_pages.url("/budget-gbk.html")
    snapshot_id = owner_api.post("/api/links/", {"url": url}, format="json").json()["snapshots"][0]["id"]
    snapshot = wait_for(lambda: finished(snapshot_id), timeout=90, what="GBK capture")
    assert snapshot.status == Snapshot.Status.SUCCEEDED, snapshot.error
    assert snapshot.charset.upper() == "GBK"
    assert "本县全面推进政务公开标准化规范化建设。" in snapshot.text
    assert snapshot.text.index("政务公开") > 40_000  # far beyond any title or description
    found = owner_api.get("/api/links/", {"q": "政务公开"}).json()
    assert [link["url"] for link in found["results"]] == [url]
    assert owner_api.get("/api/links/", {"q": "政务 -公开"}).json()["count"] == 0


def test_deleting_a_link_or_an_account_deletes_its_files(celery_worker, allow_pages, owner_api, owner):
    ids = [
        owner_api.post("/api/links/", {"url": allow_pages.url(f"/report.html?keep={n}")}, format="json").json()
        for n in range(2)
    ]
    snapshots = [wait_for(lambda i=link["snapshots"][0]["id"]: finished(i), timeout=90, what="capture") for link in ids]
    names = [set(s.artifacts.values()) for s in snapshots]
    assert all(default_storage.exists(n) for group in names for n in group)
    shared, only_first = names[0] & names[1], names[0] - names[1]
    assert shared  # the same page twice: most of its files are stored once

    assert owner_api.delete(f"/api/links/{ids[0]['id']}/").status_code == 204
    wait_for(lambda: not any(default_storage.exists(n) for n in only_first), timeout=10, what="link files deleted")
    assert all(default_storage.exists(n) for n in names[1])  # the other link's, shared ones included
    assert set(StoredFile.objects.filter(name__in=shared).values_list("refs", flat=True)) == {1}

    user_delete(user=owner)
    wait_for(lambda: not any(default_storage.exists(n) for n in names[1]), timeout=10, what="account files deleted")
    assert not StoredFile.objects.exists()
    assert not default_storage.exists(f"snapshots/{owner.pk}")


def test_deleting_an_account_during_its_capture_leaves_no_file(celery_worker, allow_pages, owner_api, owner):
    path = "/stall.html?case=account-deleted"
    saved = owner_api.post("/api/links/", {"url": allow_pages.url(path)}, format="json").json()
    snapshot_id = saved["snapshots"][0]["id"]
    wait_for(lambda: hits(allow_pages, path), timeout=20, what="browser to ask for the page")
    running = Snapshot.objects.get(pk=snapshot_id)
    assert running.status == Snapshot.Status.RUNNING and running.task_id

    user_delete(user=owner)
    done = f"capture_snapshot[{running.task_id}] succeeded"
    line = wait_for(
        lambda: next((x for x in celery_worker.log_tail(400).splitlines() if done in x), None),
        timeout=60,
        what="the worker to end the capture",
    )
    assert line.endswith("'skipped'"), line
    assert not default_storage.exists(f"snapshots/{owner.pk}")
