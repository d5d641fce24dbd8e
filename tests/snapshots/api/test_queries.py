"""An API list costs the same number of SQL queries whatever the number of links behind it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_links

pytestmark = pytest.mark.django_db


def _count(client, url: str, params: dict | None = None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_api_list_queries_do_not_grow_with_links(owner_api, owner, other):
    make_links(other, 30)
    make_links(owner, 20)
    url = reverse("api_links")
    owner_api.get(url)  # the first request of a token records `last_used`; measure steady state
    small, response = _count(owner_api, url, {"page_size": 100})
    assert len(response.json()["results"]) == 20
    make_links(owner, 180, tags=("预算", "统计"), start=20)
    large, response = _count(owner_api, url, {"page_size": 100})
    body = response.json()
    assert body["count"] == 200 and len(body["results"]) == 100
    print(f"\nAPI list queries: 20 links={small}, 200 links (100 per page)={large}")
    assert small == large
    assert large <= 10
