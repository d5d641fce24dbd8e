"""An error answer's title never becomes the link's; 429 and 503 are tried again while attempts
last; titles copied from error pages before this are cleared and re-indexed."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import translation

from snapshots.archive import lifecycle
from snapshots.archive.reasons import status_text
from snapshots.models import Link, SearchDocument, Snapshot
from tests.factories import make_link, make_snapshot

pytestmark = pytest.mark.django_db
clearing = importlib.import_module("snapshots.migrations.0014_titles_from_error_pages")


def _result(status: int, title: str = "Error response", description: str = "Error code: 404") -> SimpleNamespace:
    return SimpleNamespace(
        ok=True, error=None, artifacts={}, text=f"{status} {title}", notes=[], final_url="https://example.com/x",
        http_status=status, content_type="text/html", title=title, description=description, language="en",
        charset="utf-8", timings={},
    )


def test_an_error_answer_is_kept_but_fills_neither_title_nor_description(owner):
    link = make_link(owner, "https://example.com/x")
    running = make_snapshot(link, status=Snapshot.Status.RUNNING)
    finished = lifecycle.snapshot_finish(running.pk, _result(404))
    assert (finished.status, finished.http_status, finished.title) == (Snapshot.Status.SUCCEEDED, 404, "Error response")
    assert finished.is_http_error
    link.refresh_from_db()
    assert (link.title, link.description) == ("", "")
    assert "error" not in SearchDocument.objects.get(pk=link.pk).head.lower()  # the page's text is still found
    good = make_snapshot(link, status=Snapshot.Status.RUNNING)
    lifecycle.snapshot_finish(good.pk, _result(200, title="统计公报", description="全年数据"))
    link.refresh_from_db()
    assert (link.title, link.description) == ("统计公报", "全年数据")


def test_search_reads_the_text_of_the_newest_version_without_an_error(owner):
    link = make_link(owner, "https://example.com/flaky")
    make_snapshot(link, http_status=200, text="全县一般公共预算收入完成158236万元", minutes_ago=10)
    make_snapshot(link, http_status=503, text="Service Unavailable", minutes_ago=1)
    body = SearchDocument.objects.get(pk=link.pk).body
    assert "158236" in body and "unavailable" not in body.lower()


@pytest.mark.parametrize(("status", "attempts", "retried"), [
    (503, 1, True), (429, 2, True), (503, 3, False), (404, 1, False), (500, 1, False), (200, 1, False),
])
def test_429_and_503_are_retried_while_attempts_last(owner, settings, status, attempts, retried):
    settings.CAPTURE_MAX_ATTEMPTS = 3
    link = make_link(owner, "https://example.com/busy")
    running = make_snapshot(link, status=Snapshot.Status.RUNNING, attempts=attempts)
    assert lifecycle.http_answer_retried(running, _result(status)) is retried
    running.refresh_from_db()
    if retried:
        assert (running.status, running.http_status) == (Snapshot.Status.QUEUED, status)
        assert not running.is_http_error  # not evidence yet: it is tried again
        with translation.override("zh-hans"):
            assert status_text(running) == f"网站返回 HTTP {status}（繁忙）：稍后会再试一次。"
    else:
        assert running.status == Snapshot.Status.RUNNING
        # The last attempt finishes as evidence of the answer, its status shown.
        assert lifecycle.snapshot_finish(running.pk, _result(status)).http_status == status


def test_migration_clears_titles_copied_from_error_pages_and_reindexes(owner):
    copied = make_link(owner, "https://example.com/gone", title="Error response", description="Error code: 404")
    make_snapshot(copied, http_status=404, title="Error response", description="Error code: 404")
    # A page really called so (a good capture carries the same title) keeps its name.
    named = make_link(owner, "https://example.com/named", title="Not Found")
    make_snapshot(named, http_status=404, title="Not Found")
    make_snapshot(named, http_status=200, title="Not Found")
    # The owner's own title differs from the error page's: kept.
    own = make_link(owner, "https://example.com/own", title="我的标题")
    make_snapshot(own, http_status=500, title="Internal Server Error")
    # A good capture with the same title that did not succeed does not vouch for it.
    failed_twin = make_link(owner, "https://example.com/twin", title="Service Unavailable")
    make_snapshot(failed_twin, http_status=503, title="Service Unavailable")
    make_snapshot(failed_twin, status=Snapshot.Status.FAILED, title="Service Unavailable")
    links = Link.objects.filter(owner=owner)
    assert "error response" in SearchDocument.objects.get(pk=copied.pk).head.lower()

    clearing.clear_error_page_titles(apps, connection.schema_editor())

    titles = dict(links.values_list("pk", "title"))
    assert titles == {copied.pk: "", named.pk: "Not Found", own.pk: "我的标题", failed_twin.pk: ""}
    assert Link.objects.get(pk=copied.pk).description == ""
    assert Link.objects.get(pk=named.pk).description == ""  # never had one
    assert SearchDocument.objects.get(pk=copied.pk).head == ""  # re-indexed without the copied title
    # Running it again changes nothing.
    clearing.clear_error_page_titles(apps, connection.schema_editor())
    assert dict(links.values_list("pk", "title")) == titles
