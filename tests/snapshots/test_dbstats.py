"""Bulk writes leave fresh planner statistics behind: the searched tables are analysed when a write
reaches autovacuum's trigger (50 rows plus 10% of the table), without waiting for autovacuum."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from snapshots.dbstats import statistics_refresh
from snapshots.links import services
from snapshots.models import Link, SearchDocument, TaggedLink
from snapshots.transfer import importing
from tests.factories import make_links

pytestmark = pytest.mark.django_db

TABLES = (Link, TaggedLink, SearchDocument)


def analysed_rows() -> dict[str, int]:
    """Rows of each searched table as the planner's statistics count them (none: never analysed)."""
    names = [model._meta.db_table for model in TABLES]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT relname, reltuples FROM pg_class WHERE oid = ANY(%s::regclass[])", [names])
            return {name: int(rows) for name, rows in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return {}
        cursor.execute("SELECT tbl, MAX(CAST(stat AS INTEGER)) FROM sqlite_stat1 GROUP BY tbl")
        return {name: rows for name, rows in cursor.fetchall() if name in names}


def analyse_now() -> None:
    """A known starting point: statistics as of now (the tests' tables are nearly empty)."""
    with connection.cursor() as cursor:
        for model in TABLES:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _bookmarks(count: int) -> SimpleUploadedFile:
    rows = "\n".join(f'<DT><A HREF="https://example.com/b/{i}">第{i}条 预算</A>' for i in range(count))
    page = f"<DL><p><DT><H3>导入</H3><DL><p>\n{rows}\n</DL><p></DL>"
    return SimpleUploadedFile("bookmarks.html", page.encode(), content_type="text/html")


def test_an_import_leaves_the_searched_tables_analysed(owner):
    analyse_now()
    assert analysed_rows().get("snapshots_link", 0) == 0
    job = importing.import_job_create(owner=owner, upload=_bookmarks(600))
    importing.import_job_run(job.pk)
    assert Link.objects.count() == 600
    rows = analysed_rows()
    assert rows["snapshots_link"] == 600 and rows["snapshots_searchdocument"] == 600
    assert rows["snapshots_taggedlink"] == 600  # one folder tag each
    if connection.vendor == "postgresql":  # the documents' columns that place them, not their vectors
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename, attname FROM pg_stats WHERE tablename IN "
                "('snapshots_searchdocument', 'searchdoc_vector_gin', 'searchdoc_title_gin')"
            )
            analysed = set(cursor.fetchall())
        assert analysed == {("snapshots_searchdocument", name) for name in ("link_id", "owner_id", "created")}


def test_small_writes_leave_statistics_alone_and_large_ones_refresh_them(owner, django_assert_num_queries):
    tables = (Link, TaggedLink)  # make_links indexes nothing for search
    make_links(owner, 300)  # two tags each
    analyse_now()
    assert analysed_rows()["snapshots_link"] == 300
    with django_assert_num_queries(0):  # under autovacuum's base of 50 rows: not even a look
        assert statistics_refresh(models=tables, rows=49) is False
    with django_assert_num_queries(1):  # 60 rows < 50 + 10% of 300 links (or of 600 taggings): not due
        assert statistics_refresh(models=tables, rows=60) is False
    make_links(owner, 100, start=300)
    assert statistics_refresh(models=tables, rows=100) is True
    assert analysed_rows()["snapshots_link"] == 400 and analysed_rows()["snapshots_taggedlink"] == 800


def test_a_tag_renamed_across_many_links_refreshes_statistics(owner, django_capture_on_commit_callbacks):
    links = [services.link_create(owner=owner, url=f"https://example.com/r/{i}", tags=["旧名"], capture=False)
             for i in range(60)]
    analyse_now()
    before = analysed_rows()["snapshots_taggedlink"]
    assert before == 60
    services.link_create(owner=owner, url="https://example.com/r/extra", tags=["旧名"], capture=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tag_rename(owner=owner, old="旧名", new="新名") == len(links) + 1
    assert analysed_rows()["snapshots_taggedlink"] == 61


def test_a_full_reindex_refreshes_the_search_documents_statistics(owner):
    make_links(owner, 80)  # not indexed yet
    analyse_now()
    out = io.StringIO()
    call_command("search_reindex", stdout=out)
    assert out.getvalue().splitlines() == ["indexed 80 links", "analysed the search documents"]
    assert analysed_rows()["snapshots_searchdocument"] == 80
