"""On PostgreSQL the search query must be answerable from the GIN indexes (not a scan of every row)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from snapshots.models import Link
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
    for branch, index in ((links.titles, "searchdoc_title_gin"), (links.others, "searchdoc_vector_gin")):
        plan = branch.order_by("-created", "-id").values_list("pk")[:20].explain()
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
