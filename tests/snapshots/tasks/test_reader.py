"""The reader copy with real parts: a GBK report captured by the worker's Chromium, read on our
reader page in both languages, and made again from the stored page by the backfill command."""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from snapshots.models import SearchDocument, Snapshot
from tests.snapshots.tasks.conftest import READER_REPORT_TITLE, log_tails
from tests.support.pageserver import hits
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ACTIVE = re.compile(r"<script|<style|<iframe|<form|<input|\son\w+\s*=|\s(?:style|class|id)\s*=|javascript:", re.I)


def captured(owner_api, url: str, celery_worker) -> Snapshot:
    response = owner_api.post("/api/links/", {"url": url}, format="json")
    assert response.status_code == 201, response.content
    snapshot_id = response.json()["snapshots"][0]["id"]
    try:
        snapshot = wait_for(
            lambda: (s := Snapshot.objects.get(pk=snapshot_id)).is_finished and s, timeout=90, what="capture"
        )
    except AssertionError:
        raise AssertionError(log_tails(celery_worker)) from None
    assert snapshot.status == Snapshot.Status.SUCCEEDED, snapshot.error
    return snapshot


def stored(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return handle.read().decode("utf-8")


def reader_region(page: str) -> str:
    """The part of our reader page that comes from the snapshot."""
    return page.split('<div class="reader"', 1)[1].split('<p class="reader-source">', 1)[0]


def test_reader_of_a_gbk_report_keeps_tables_and_images_and_carries_no_script(
    celery_worker, allow_pages, owner_api, client, owner
):
    snapshot = captured(owner_api, allow_pages.url("/reader-gbk.html"), celery_worker)
    copy = stored(snapshot.artifacts["reader"])
    body = copy.split("<body>", 1)[1]
    assert body.count("<table") == 2 and "<caption>表一　一般公共预算收入完成情况</caption>" in body
    assert "<td>税收收入</td><td>110500</td><td>112874</td><td>5.1</td>" in body  # GBK decoded, cells intact
    assert "<td>国有土地使用权出让收入</td><td>79315</td>" in body
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]{100,}" alt="收入构成图"', body)
    assert not ACTIVE.search(body), ACTIVE.search(body)
    assert "pwned" not in copy and "网站标识码" not in copy and "网站首页" not in copy  # handler, footer, nav out
    assert "default-src 'none'" in copy  # the file's own lock, should it ever be opened alone

    # Search indexes the main content, without the page's boilerplate.
    assert "112874" in snapshot.reader_text and "网站标识码" not in snapshot.reader_text
    assert "网站标识码" in snapshot.text
    document = SearchDocument.objects.get(link_id=snapshot.link_id)
    assert "政府性基金预算收入完成86420万元" in document.body and "网站标识码" not in document.body

    client.force_login(owner)
    detail = client.get(reverse("snapshots:snapshot_detail", args=[snapshot.pk])).content.decode()
    reader_url = reverse("snapshots:snapshot_reader", args=[snapshot.pk])
    assert f'href="{reader_url}"' in detail
    page = client.get(reader_url, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert page.status_code == 200
    html = page.content.decode()
    region = reader_region(html)
    assert "<td>税收收入</td><td>110500</td>" in region and "<h1>" + READER_REPORT_TITLE in region
    assert not ACTIVE.search(region.split(">", 1)[1]), ACTIVE.search(region.split(">", 1)[1])
    assert "分钟" in html and "js/reader.js" in html


def test_reader_page_speaks_both_languages_and_hides_from_others(celery_worker, allow_pages, owner_api, client,
                                                                owner, other):
    snapshot = captured(owner_api, allow_pages.url("/report.html"), celery_worker)
    url = reverse("snapshots:snapshot_reader", args=[snapshot.pk])
    client.force_login(owner)
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    expected = {"zh": ("分钟", "衬线", "深色", "来源"), "en": ("min read", "Serif", "Dark", "Source")}
    for html, words in ((chinese, expected["zh"]), (english, expected["en"])):
        assert all(word in html for word in words), words
        assert "<td>粮食产量</td><td>70650</td>" in reader_region(html)
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_backfill_makes_reader_copies_from_the_stored_page(celery_worker, allow_pages, owner_api):
    snapshot = captured(owner_api, allow_pages.url("/reader-gbk.html"), celery_worker)
    default_storage.delete(snapshot.artifacts.pop("reader"))
    snapshot.sizes.pop("reader")
    snapshot.reader_text = ""
    snapshot.save()
    pages_served, charts_served = hits(allow_pages, "/reader-gbk.html"), hits(allow_pages, "/reader-chart.png")
    call_command("reader_backfill")
    made = wait_for(
        lambda: (s := Snapshot.objects.get(pk=snapshot.pk)).artifacts.get("reader") and s, timeout=60,
        what="reader copy from the backfill",
    )
    copy = stored(made.artifacts["reader"])
    assert "<td>税收收入</td><td>110500</td><td>112874</td><td>5.1</td>" in copy
    assert re.search(r'<img src="data:image/png;base64,', copy)  # the offline copy's own image, not fetched again
    assert not ACTIVE.search(copy.split("<body>", 1)[1])
    assert "112874" in made.reader_text and made.sizes["reader"] > 0
    assert "86420" in SearchDocument.objects.get(link_id=made.link_id).body
    assert (hits(allow_pages, "/reader-gbk.html"), hits(allow_pages, "/reader-chart.png")) == (
        pages_served, charts_served)  # made from what was stored: nothing fetched again
