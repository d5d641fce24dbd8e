"""Request bodies are refused above their limit before anything reads them, and a write that
finds the database busy is answered 503 with Retry-After, never 500. Also run on SQLite (see
tests/snapshots/search/test_sqlite.py), where one writer at a time is the rule."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.core.handlers.exception import convert_exception_to_response
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from linkhome.guards import BUSY_RETRY_AFTER, DatabaseBusyMiddleware
from snapshots.links import services
from snapshots.models import ImportJob, Link
from snapshots.transfer import importing
from tests.factories import bookmark_file, bookmark_upload, make_links

# How long a write of the request under test may wait for a lock before giving up.
SHORT_WAIT = {"sqlite": "PRAGMA busy_timeout = 200", "postgresql": "SET lock_timeout = '200ms'"}


def _start(work: Callable[[], object], *, short_wait: bool = False) -> Callable[[], object]:
    """Start `work` on a thread of its own (so on a database connection of its own); the
    function returned waits for it and gives its result or raises its error."""
    result: dict[str, object] = {}

    def run() -> None:
        try:
            if short_wait:
                with connection.cursor() as cursor:
                    cursor.execute(SHORT_WAIT[connection.vendor])
            result["value"] = work()
        except BaseException as exc:  # handed to the test by the function returned
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()

    def finish() -> object:
        thread.join(timeout=120)
        assert not thread.is_alive(), "the work did not finish"
        if "error" in result:
            raise result["error"]
        return result["value"]

    return finish


def _in_thread(work: Callable[[], object], *, short_wait: bool = False) -> object:
    return _start(work, short_wait=short_wait)()


def _hold_write_lock() -> None:
    """Inside an atomic block: keep other writers of links out until it ends. SQLite's BEGIN
    IMMEDIATE took the one write lock already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE snapshots_link IN EXCLUSIVE MODE")


@pytest.mark.django_db
def test_an_api_body_over_the_limit_is_refused_with_json_naming_the_limit(owner_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = owner_api.post(
        reverse("api_links"), {"url": "https://example.com/", "notes": "记" * 5_000}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request is larger than 9.8\xa0KB, the largest the site accepts.", "max_bytes": 10_000
    }
    assert not Link.objects.exists()
    fits = owner_api.post(reverse("api_links"), {"url": "https://example.com/", "notes": "记" * 100}, format="json")
    assert fits.status_code == 201


@pytest.mark.django_db
def test_a_form_body_over_the_limit_gets_a_page_in_the_readers_language(owner_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = owner_client.post(
        reverse("snapshots:link_add"),
        urlencode({"url": "https://example.com/", "notes": "记" * 5_000}),
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "请求大于 9.8" in response.content.decode() and "没有保存任何内容" in response.content.decode()
    assert not Link.objects.exists()


@pytest.mark.django_db
def test_django_s_own_refusals_inside_a_multipart_body_are_worded_too(owner_client, owner_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    # Multipart bodies may be as large as a bookmark file; a field in one may not.
    page = owner_client.post(reverse("snapshots:link_add"), {"url": "https://example.com/", "notes": "记" * 5_000})
    assert page.status_code == 400 and "The request is larger than 9.8" in page.content.decode()
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"field{n}": "x" for n in range(10)}
    api = owner_api.post(reverse("api_links"), {"url": "https://example.com/", **fields}, format="multipart")
    assert api.status_code == 400 and api.json()["max_fields"] == 5
    assert not Link.objects.exists()


@pytest.mark.django_db
def test_an_upload_larger_than_a_bookmark_file_is_refused_before_it_is_read(owner_api, owner_client, settings):
    # The body claims 1 GB and holds a small file: reading it would fail, so a 400 proves it was not read.
    claimed = {"CONTENT_LENGTH": str(2**30)}
    upload = bookmark_upload(bookmark_file(3))
    response = owner_api.post(reverse("api_import"), {"file": upload}, format="multipart", **claimed)
    assert response.status_code == 400
    assert response.json()["max_bytes"] == settings.IMPORT_MAX_BYTES
    assert response.json()["detail"] == "The file is larger than 100.0\xa0MB, the largest the site accepts."
    upload.seek(0)
    page = owner_client.post(reverse("snapshots:import_start"), {"file": upload}, **claimed)
    assert page.status_code == 400 and "100.0" in page.content.decode()
    assert not ImportJob.objects.exists()


def test_a_busy_database_is_503_whichever_layer_raised_it():
    def busy(request):
        raise OperationalError("database is locked")

    def broken(request):
        raise OperationalError("no such table: snapshots_link")

    # A later layer's exception reaches the outermost middleware as Django's 500 response.
    response = DatabaseBusyMiddleware(convert_exception_to_response(busy))(RequestFactory().post("/api/links/"))
    assert (response.status_code, response["Retry-After"]) == (503, str(BUSY_RETRY_AFTER))
    assert json.loads(response.content)["retry_after"] == BUSY_RETRY_AFTER
    other = DatabaseBusyMiddleware(convert_exception_to_response(broken))(RequestFactory().post("/api/links/"))
    assert other.status_code == 500
    page = DatabaseBusyMiddleware(convert_exception_to_response(busy))(RequestFactory().get("/links/add/"))
    assert page.status_code == 503 and "text/html" in page["Content-Type"]


@pytest.mark.django_db(transaction=True)
def test_a_write_that_waits_out_a_lock_gets_503_with_retry_after_and_can_be_sent_again(owner_api, owner_client):
    with transaction.atomic():
        _hold_write_lock()
        api = _in_thread(
            lambda: owner_api.post(reverse("api_links"), {"url": "https://example.com/a"}, format="json"),
            short_wait=True,
        )
        page = _in_thread(
            lambda: owner_client.post(reverse("snapshots:link_add"), {"url": "https://example.com/b"}),
            short_wait=True,
        )
    assert (api.status_code, api["Retry-After"]) == (503, str(BUSY_RETRY_AFTER))
    assert api.json()["detail"] == "The site is busy. Please try again in a few seconds."
    assert (page.status_code, page["Retry-After"]) == (503, str(BUSY_RETRY_AFTER))
    assert "try again in a few seconds" in page.content.decode() and "Nothing was saved" in page.content.decode()
    assert not Link.objects.exists()
    again = owner_api.post(reverse("api_links"), {"url": "https://example.com/a"}, format="json")
    assert again.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_saves_while_a_big_tag_merge_and_an_import_run_never_fail(owner, other, other_api):
    many = importing.BATCH + 100  # two transactions of each long write
    make_links(owner, many, tags=("旧",))
    job = importing.import_job_create(owner=owner, upload=bookmark_upload(bookmark_file(many, folder="导入")))
    merged = _start(lambda: services.tag_merge(owner=owner, sources=["旧"], target="新"))
    imported = _start(lambda: importing.import_job_run(job.pk))
    statuses = _in_thread(
        lambda: [
            other_api.post(reverse("api_links"), {"url": f"https://example.com/other/{n}"}, format="json").status_code
            for n in range(5)
        ]
    )
    assert statuses == [201] * 5
    assert merged() == many and imported().status == ImportJob.Status.SUCCEEDED
    assert Link.objects.filter(owner=owner, tags__name="新").count() == many
    assert Link.objects.filter(owner=owner, tags__name="导入").count() == many


@pytest.mark.django_db(transaction=True)
def test_the_list_page_never_waits_for_a_held_write_lock_to_cache_its_facts(owner, owner_client):
    """An import or a big merge may hold SQLite's one write lock: the list page serves the tag
    bar and total it computed instead of waiting out the busy timeout to cache them (the cache
    gives up silently, so only the wait would show)."""
    make_links(owner, 3, tags=("报告",))
    done = threading.Event()
    result: dict[str, object] = {}

    def view_the_list() -> None:
        try:
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 60000")  # longer than the test waits
            result["page"] = owner_client.get(reverse("snapshots:link_list"))
        finally:
            connection.close()
            done.set()

    with transaction.atomic():
        _hold_write_lock()
        threading.Thread(target=view_the_list).start()
        answered_while_locked = done.wait(timeout=30)
    done.wait(timeout=90)
    assert answered_while_locked, "the list page waited for the write lock"
    page = result["page"]
    assert page.status_code == 200
    assert [(t["name"], t["count"]) for t in page.context["tags"]] == [("报告", 3)]
