"""Bookmark import (real-world-shaped files), export, the round trip between them, and the import sweeper."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from accounts.models import User
from linkhome.celery import app
from snapshots.links import services
from snapshots.models import ImportJob, Link, SearchDocument, Snapshot
from snapshots.search.changes import BulkWrite
from snapshots.tasks.bulk import import_bookmarks
from snapshots.transfer import exporting, importing
from snapshots.transfer.bookmarkfile import count_anchors, parse_timestamp, read_bookmarks
from tests.factories import make_import_job, make_link, make_snapshot

pytestmark = pytest.mark.django_db

SAMPLE = (Path(__file__).parent / "data" / "bookmarks.html").read_bytes()


def _upload(data: bytes = SAMPLE, name: str = "bookmarks.html") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/html")


def _run(owner: User, data: bytes = SAMPLE, capture: bool = False) -> ImportJob:
    job = importing.import_job_create(owner=owner, upload=_upload(data), capture=capture)
    return importing.import_job_run(job.pk)


def _by_url(owner: User) -> dict[str, Link]:
    return {link.url: link for link in Link.objects.filter(owner=owner).prefetch_related("tags")}


def test_real_world_file_reports_what_it_skipped_and_why(owner):
    job = _run(owner)
    assert job.status == ImportJob.Status.SUCCEEDED
    links = _by_url(owner)
    assert set(links) == {
        "https://www.gov.cn/zhengce/",
        "https://news.example.com/a?x=1&y=2",
        "https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84",
        "https://example.com/Upper",
        "https://future.example.org/",
        "https://old.example.net/",
    }
    assert job.created_links == 6 and job.done == job.total == 12
    gov = links["https://www.gov.cn/zhengce/"]
    assert gov.title == "中国政府网 & 政策"
    assert sorted(gov.tags.names()) == ["Bookmarks bar"]
    assert gov.created == datetime(2020, 1, 1, tzinfo=UTC)
    news = links["https://news.example.com/a?x=1&y=2"]
    assert sorted(news.tags.names()) == sorted(["Bookmarks bar", "News & politics", "daily", "新闻"])
    assert news.created == datetime(2021, 1, 1, tzinfo=UTC)  # milliseconds
    assert news.description == "A description\nthat spans lines"
    assert links["https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84"].created == datetime(2021, 2, 1, tzinfo=UTC)
    assert links["https://old.example.net/"].unread is True
    assert links["https://old.example.net/"].created.year == datetime.now().year  # implausible date → now
    skipped = {(row["line"], row["code"]) for row in job.skipped}
    assert skipped == {
        (18, "invalid_url"), (19, "duplicate"), (25, "invalid_url"), (26, "invalid_url"), (28, "invalid_url"),
        (31, "duplicate"),
    }
    assert all(row["reason"] for row in job.skipped)
    assert not Snapshot.objects.filter(link__owner=owner).exists()


def test_reimport_skips_existing_and_captures_when_asked(owner):
    make_link(owner, "https://www.gov.cn/zhengce/")
    job = _run(owner, capture=True)
    assert job.created_links == 5
    assert {"exists"} <= {row["code"] for row in job.skipped}
    assert Snapshot.objects.filter(link__owner=owner, trigger=Snapshot.Trigger.IMPORT).count() == 5
    imported = Link.objects.filter(owner=owner, snapshots__trigger=Snapshot.Trigger.IMPORT).prefetch_related("tags")
    documents = {d.pk: d for d in SearchDocument.objects.filter(link__in=imported)}
    for link in imported:  # indexed at import, with title and tags, before any capture
        head = documents[link.pk].head
        assert link.title in head and all(tag.name in head for tag in link.tags.all())


def test_rerunning_a_job_does_not_duplicate(owner):
    job = _run(owner)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, done=3)
    again = importing.import_job_run(job.pk)
    assert again.status == ImportJob.Status.SUCCEEDED
    assert Link.objects.filter(owner=owner).count() == 6


def test_export_then_import_into_a_fresh_user_round_trips(owner, other):
    _run(owner)
    services.link_update(link=Link.objects.get(url="https://old.example.net/"), data={"tags": ["旧", "b"]})
    exported = "".join(exporting.export_netscape(owner=owner)).encode()
    job = _run(other, exported)
    assert job.status == ImportJob.Status.SUCCEEDED and job.skipped == []
    mine, theirs = _by_url(owner), _by_url(other)
    assert set(mine) == set(theirs)
    for url, link in mine.items():
        copy = theirs[url]
        assert sorted(copy.tags.names()) == sorted(link.tags.names())
        assert (copy.title, copy.description, copy.unread) == (link.title, link.description, link.unread)
        assert int(copy.created.timestamp()) == int(link.created.timestamp())


def test_keep_as_served_survives_the_bookmark_file_and_the_json_export(owner_client, owner, other):
    kept = make_link(owner, "https://example.com/kept")
    services.link_update(link=kept, data={"keep_as_served": True})
    make_link(owner, "https://example.com/plain")
    exported = "".join(exporting.export_netscape(owner=owner))
    assert exported.count('KEEP_AS_SERVED="1"') == 1
    job = _run(other, exported.encode())
    assert job.status == ImportJob.Status.SUCCEEDED
    assert {u: link.keep_as_served for u, link in _by_url(other).items()} == {
        "https://example.com/kept": True, "https://example.com/plain": False,
    }
    response = owner_client.get(reverse("snapshots:export"), {"format": "json"})
    records = json.loads(b"".join(response.streaming_content))["links"]
    assert {r["url"]: r["keep_as_served"] for r in records} == {
        "https://example.com/kept": True, "https://example.com/plain": False,
    }


def test_json_export_has_notes_tags_dates_and_snapshot_links(owner_client, owner):
    link = make_link(owner, "https://example.com/x", tags=["报告"], notes="私人")
    make_snapshot(link, artifacts={"pdf": "snapshots/x.pdf"})
    response = owner_client.get(reverse("snapshots:export"), {"format": "json"})
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(b"".join(response.streaming_content))
    (record,) = data["links"]
    assert record["notes"] == "私人" and record["tags"] == ["报告"] and record["created"]
    assert record["snapshots"][0]["artifacts"]["pdf"].startswith("http://testserver/snapshots/")


def test_parser_streams_and_counts():
    bookmarks = list(read_bookmarks(io.BytesIO(SAMPLE)))
    assert len(bookmarks) == 12 == count_anchors(io.BytesIO(SAMPLE))
    assert [b.line for b in bookmarks][:2] == [11, 14]
    assert parse_timestamp("") is None and parse_timestamp("abc") is None


def test_gbk_file_is_decoded():
    data = '<META CONTENT="text/html; charset=GBK"><DL><p><DT><A HREF="https://a.cn/">政务公开</A></DL>'.encode("gbk")
    (bookmark,) = read_bookmarks(io.BytesIO(data))
    assert bookmark.title == "政务公开"


def test_api_import_status_and_export(owner, owner_api, other_api, settings):
    response = owner_api.post("/api/import/", {"file": _upload(), "capture": "false"}, format="multipart")
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert owner_api.get(f"/api/import/{job_id}/").json()["status"] == "queued"
    importing.import_job_run(job_id)
    body = owner_api.get(f"/api/import/{job_id}/").json()
    assert body["status"] == "succeeded" and body["created"] == 6 and body["total"] == body["done"] == 12
    assert {"line", "url", "reason"} <= set(body["skipped"][0])
    assert other_api.get(f"/api/import/{job_id}/").status_code == 404
    export = owner_api.get("/api/export/", {"format": "netscape"})
    exported = b"".join(export.streaming_content).decode()
    assert 'TAGS="Bookmarks bar,News &amp; politics,daily,新闻"' in exported
    settings.IMPORT_MAX_BYTES = 10
    assert owner_api.post("/api/import/", {"file": _upload()}, format="multipart").status_code == 400


def test_import_pages_and_progress(owner_client, other_client):
    response = owner_client.post(reverse("snapshots:import_start"), {"file": _upload()})
    job = ImportJob.objects.get()
    assert response.url == reverse("snapshots:import_detail", args=[job.pk])
    progress = owner_client.get(reverse("snapshots:import_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="load delay:1s"' in progress and "<progress" in progress
    importing.import_job_run(job.pk)
    done = owner_client.get(reverse("snapshots:import_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in done and "javascript:alert(1)" in done
    assert other_client.get(reverse("snapshots:import_detail", args=[job.pk])).status_code == 404
    assert owner_client.get(reverse("snapshots:import_start")).status_code == 200


def _big_file(count: int) -> bytes:
    rows = "\n".join(
        f'<DT><A HREF="https://example.com/{i}" ADD_DATE="{1_600_000_000 + i}">第{i}条</A>' for i in range(count)
    )
    return f"<DL><p><DT><H3>大文件</H3><DL><p>\n{rows}\n</DL><p></DL>".encode()


# Expected queries of a 2,300-link import: a few per batch, none per link.
#  start: savepoint; the job, locked; mark it running; release                           (4)
#  each batch: savepoint; the job, locked (still this run's?); which of the batch's URLs the
#    owner already saved; insert the new links; insert their taggings; insert their search
#    documents; record the progress; release                                               (8)
#    the first batch also looks up the folder's tag and creates it: select; savepoint;
#    insert; release                                                                      (+4)
#  end: savepoint; the job, locked; mark it succeeded; release                             (4)
#  then, once: forget the owner's cached list facts; the size of the searched tables as
#    their statistics know it; analyse them (2,300 new rows are more than 10% of them)       (3)
# PostgreSQL commits batches of 500: 4 + 5 × 8 + 4 + 4 + 3 = 55.
# SQLite commits batches of 83 (one INSERT a table each: 999 parameters, 12 a search
# document), so 28 batches; it analyses each table on its own, after setting how many rows to
# sample: 4 + 28 × 8 + 4 + 4 + (1 + 1 + 1 + 3) = 242.
IMPORT_QUERIES = {"postgresql": 55, "sqlite": 242}


def test_large_file_in_batches_through_the_task(owner, django_assert_num_queries, monkeypatch):
    # No refresh of the list facts in between, however slow the machine (they have their own tests).
    monkeypatch.setattr(BulkWrite, "REFRESH_SECONDS", 3600)
    monkeypatch.setattr(importing, "SQLITE_YIELD_MAX", 0)  # what is counted here are queries
    job = importing.import_job_create(owner=owner, upload=_upload(_big_file(2_300)))
    assert job.total == 2_300
    assert app.amqp.router.route({}, import_bookmarks.name)["queue"].name == "imports"
    with django_assert_num_queries(IMPORT_QUERIES[connection.vendor]):
        assert import_bookmarks(job.pk) == "succeeded"
    assert Link.objects.filter(owner=owner, tags__name="大文件").count() == 2_300
    assert import_bookmarks(job.pk) == "succeeded"
    assert Link.objects.filter(owner=owner).count() == 2_300


def test_sweeper_re_enqueues_imports_the_broker_never_got(owner, settings):
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("imports")
    job = make_import_job(owner, upload="imports/x.html", minutes_ago=5)
    fresh = make_import_job(owner, upload="imports/y.html")
    assert importing.import_jobs_sweep() == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.enqueued is not None and fresh.enqueued is None
    message = json.loads(broker.lpop("imports"))
    assert message["headers"]["task"] == "snapshots.tasks_bulk.import_bookmarks"
    assert message["headers"]["argsrepr"] == f"({job.pk},)"
    assert importing.import_jobs_sweep() == 0
    broker.delete("imports")
