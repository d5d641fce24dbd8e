"""A list page of links or tags costs the same number of SQL queries whatever the number of links behind it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from snapshots.search import listcache
from tests.factories import make_links

pytestmark = pytest.mark.django_db


def _count(client, url: str, params: dict | None = None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_html_list_page_queries_do_not_grow_with_links(owner_client, owner, other):
    """Counted with the tag bar's cache cold (first view) and warm (every view after)."""
    url = reverse("snapshots:link_list")
    make_links(other, 30)
    make_links(owner, 20)
    small_cold, response = _count(owner_client, url)
    small, response = _count(owner_client, url)
    assert len(response.context["page"].object_list) == 20
    make_links(owner, 180, tags=("预算", "统计", "政府"), start=20)
    listcache.forget(owner.pk)  # make_links goes around the services, which forget it themselves
    large_cold, response = _count(owner_client, url)
    large, response = _count(owner_client, url)
    assert response.context["page"].paginator.count == 200
    assert {t["name"] for t in response.context["tags"]} >= {"预算", "统计", "政府"}
    filtered, response = _count(owner_client, url, {"tag": "政府"})
    assert response.context["page"].paginator.count == 200  # taken from the cached tag bar
    print(f"\nHTML list queries: 20 links={small} (cold cache {small_cold}), "
          f"200 links={large} (cold cache {large_cold}), 200 links tag filter={filtered}")
    assert small == large == filtered
    assert small_cold == large_cold
    assert large <= 10


def test_tag_list_queries_do_not_grow_with_tags(owner_client, owner):
    make_links(owner, 5, tags=("甲", "乙"))
    small, _ = _count(owner_client, reverse("snapshots:tag_list"))
    make_links(owner, 5, tags=tuple(f"标签{i}" for i in range(10)), start=5)
    large, response = _count(owner_client, reverse("snapshots:tag_list"))
    assert len(response.context["tags"]) == 12
    assert small == large
