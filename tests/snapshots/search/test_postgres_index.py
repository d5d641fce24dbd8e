"""On PostgreSQL the search query must be answerable from the GIN indexes (not a scan of every row)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from snapshots.models import Link
from snapshots.paging import Position
from snapshots.search import ranked
from snapshots.search.query import search_links
from tests.factories import make_link

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["蜻蜓点水", "zyzzyva", '"zyzzyva report"', "蜻 -budget"])
def test_search_uses_the_gin_index(owner, query):
    assert connection.vendor == "postgresql"
    call_command("seed_links", username=owner.username, count=400, text_chars=300, stdout=None)
    rare = make_link(owner, "https://example.com/rare", text="蜻蜓点水 zyzzyva report")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE snapshots_searchdocument")
        cursor.execute("ANALYZE snapshots_link")
        # What autovacuum does in production: move fresh entries from GIN's pending list into the tree.
        cursor.execute("SELECT gin_clean_pending_list('searchdoc_vector_gin')")
        cursor.execute("SELECT gin_clean_pending_list('searchdoc_title_gin')")
        # A table this small is cheaper to scan; what matters is that the index can answer.
        cursor.execute("SET LOCAL enable_seqscan = off")
    links = search_links(Link.objects.filter(owner=owner), query)
    for rank, index in ((links.titles, "searchdoc_title_gin"), (links.others, "searchdoc_vector_gin")):
        plan = rank.indexed.order_by("-created", "-id").values_list("pk")[:20].explain()
        assert index in plan, plan
    assert [link.pk for link in links] == [rare.pk]


def test_vectors_are_stored_with_weights(owner):
    make_link(owner, "https://example.com/a", text="正文内容", title="年度报告", tags=["政府"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT head_vector::text, body_vector::text FROM snapshots_searchdocument")
        head, body = cursor.fetchone()
    assert "'报告':1A" in head and "'政府':2B" in head and "'example':3C" in head
    assert "'内容'" in body and "'正文'" in body


def test_neighbouring_words_are_indexed_joined(owner):
    make_link(owner, "https://example.com/a", text="国民经济 社会发展 Annual report", title="Budget 2024")
    with connection.cursor() as cursor:
        cursor.execute("SELECT head_vector::text, body_vector::text FROM snapshots_searchdocument")
        head, body = cursor.fetchone()
    assert "'budget_2024':1A" in head
    assert "'济_社'" in body and "'展_annual'" in body and "'annual_report'" in body


def _documents_read(sql: str) -> int:
    """Search documents (each a link's page text) a statement read: EXPLAIN ANALYZE of it, run
    again with the planner settings it was sent with."""
    settings = ""
    if sql.startswith(ranked._INDEX_MATCHES_ONLY):
        settings, sql = ranked._INDEX_MATCHES_ONLY, sql[len(ranked._INDEX_MATCHES_ONLY) :]
        sql = sql.removesuffix(ranked._PLANNER_DEFAULTS)
    with connection.cursor() as cursor:
        cursor.execute(f"{settings}EXPLAIN (ANALYZE, FORMAT JSON) {sql}{ranked._PLANNER_DEFAULTS}")
        while cursor.description is None:
            cursor.nextset()
        plan = cursor.fetchone()[0]
    nodes, read = [plan[0]["Plan"]], 0
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        if node.get("Relation Name") == "snapshots_searchdocument":
            kept = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
            read += (kept + node.get("Rows Removed by Index Recheck", 0)) * node["Actual Loops"]
    return read


def test_a_word_found_only_in_old_titles_reads_its_matches_and_a_window_not_the_account(owner, monkeypatch):
    """The page after the last title match of a word no page text holds: the second class is
    empty, and PostgreSQL, which takes "in the document but not in the title" for a common
    class, walked every link to find that out."""
    call_command("seed_links", username=owner.username, count=2000, text_chars=100, stdout=None)
    long_ago = timezone.now() - timedelta(days=3650)
    bookmarks = [  # old bookmarks, as an import leaves them: a title and nothing else
        make_link(owner, f"https://bookmarks.example/{i}", title=f"蜻蜓 {i}", created=long_ago - timedelta(hours=i))
        for i in range(300)
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE snapshots_searchdocument")
        cursor.execute("ANALYZE snapshots_link")
        cursor.execute("SELECT gin_clean_pending_list('searchdoc_vector_gin')")
        cursor.execute("SELECT gin_clean_pending_list('searchdoc_title_gin')")
        # Plan as for a large account: reading a table this small whole is cheaper than any walk.
        cursor.execute("SET LOCAL seq_page_cost = 1000")
    monkeypatch.setattr(ranked.RankedResults, "WINDOW", 50)
    results = search_links(Link.objects.filter(owner=owner), "蜻蜓")
    last = bookmarks[-1]
    with CaptureQueriesContext(connection) as queries:
        assert list(results.after(Position(0, last.created, last.pk, 300))[0:20]) == []
    read = sum(_documents_read(query["sql"]) for query in queries.captured_queries)
    # Each class tests the newest links (after the position) in a window of 50 + 4 per result
    # asked for, then reads the index's 300 candidates. Walking the account reads 2,300.
    assert read <= 2 * (50 + 4 * 20) + 2 * 300, read
