"""Cursor pages of the API's link list and search: `next` links carry an opaque cursor, following
them gives exactly the numbered pages, without skipping rows (no OFFSET), and a bad cursor is a 400."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from snapshots.models import Link
from snapshots.search.ranked import RankedResults
from tests.factories import make_link, make_links

pytestmark = pytest.mark.django_db


def _walk(api, params: dict) -> tuple[list[int], list[dict]]:
    """Every page, from the first by following `next`; the ids in order and each page's body."""
    bodies = [api.get(reverse("api_links"), params).json()]
    while bodies[-1]["next"]:
        assert "cursor=" in bodies[-1]["next"] and "page=" not in bodies[-1]["next"]
        bodies.append(api.get(bodies[-1]["next"]).json())
    return [row["id"] for body in bodies for row in body["results"]], bodies


def _numbered(api, params: dict, pages: int) -> list[int]:
    return [
        row["id"]
        for number in range(1, pages + 1)
        for row in api.get(reverse("api_links"), {**params, "page": number}).json()["results"]
    ]


def test_following_next_gives_the_numbered_pages_even_among_links_saved_at_the_same_time(owner, owner_api):
    make_links(owner, 30, tags=("政府",))
    same_time = timezone.now() - timedelta(minutes=12.5)  # six links between the 12th and 13th minute
    for i in range(6):
        make_link(owner, f"https://example.com/tie/{i}", tags=["政府"], created=same_time)
    ids, bodies = _walk(owner_api, {"page_size": 7})
    assert len(bodies) == 6 and len(ids) == len(set(ids)) == 36
    assert ids == list(Link.objects.filter(owner=owner).values_list("pk", flat=True))  # newest first, then id
    assert ids == _numbered(owner_api, {"page_size": 7}, 6)
    assert all(body["count"] == 36 for body in bodies)
    assert bodies[0]["previous"] is None and bodies[1]["previous"].endswith("page_size=7")
    assert "page=2" in bodies[2]["previous"] and bodies[-1]["next"] is None
    by_tag, _bodies = _walk(owner_api, {"tag": "政府", "page_size": 10})
    assert by_tag == ids


@pytest.mark.parametrize("window", [2, 500])
def test_following_next_through_a_search_crosses_from_title_to_text_matches(owner, owner_api, monkeypatch, window):
    monkeypatch.setattr(RankedResults, "WINDOW", window)  # a cursor page may start inside the window or past it
    now = timezone.now()
    for i in range(23):
        in_title = i % 3 == 0
        make_link(
            owner,
            f"https://example.com/s/{i}",
            title=f"预算报告 {i}" if in_title else f"通知 {i}",
            text="正文" if in_title else "正文提到预算",
            created=now - timedelta(hours=i),
        )
    make_link(owner, "https://example.com/s/none", title="无关", text="无关")
    ids, bodies = _walk(owner_api, {"q": "预算", "page_size": 4})
    assert ids == _numbered(owner_api, {"q": "预算", "page_size": 4}, 6) and len(ids) == 23
    titles = [row["title"].startswith("预算报告") for body in bodies for row in body["results"]]
    assert titles == [True] * 8 + [False] * 15
    assert [body["count"] for body in bodies] == [None] * 5 + [23]  # the total, on the last page only
    assert "page=5" in bodies[-1]["previous"]


def test_a_cursor_page_starts_where_the_last_ended_without_skipping_rows(owner, owner_api):
    make_links(owner, 60)
    for i in range(60):
        make_link(owner, f"https://example.com/q/{i}", text="年度预算报告")
    for params in ({"page_size": 10}, {"q": "预算", "page_size": 10}):
        deep = owner_api.get(reverse("api_links"), {**params, "page": 5}).json()
        with CaptureQueriesContext(connection) as queries:
            after = owner_api.get(deep["next"]).json()
        assert len(after["results"]) == 10
        assert [row["id"] for row in after["results"]] == [
            row["id"] for row in owner_api.get(reverse("api_links"), {**params, "page": 6}).json()["results"]
        ]
        assert not [q["sql"] for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        base64.urlsafe_b64encode(b"[0, 1]").decode(),
        base64.urlsafe_b64encode(b'[true, "2025-01-01T00:00:00+00:00", 1, 20]').decode(),
        base64.urlsafe_b64encode(b'[0, "2025-01-01T00:00:00", 1, 20]').decode(),  # no time zone
        base64.urlsafe_b64encode(b'[2, "2025-01-01T00:00:00+00:00", 1, 20]').decode(),
        base64.urlsafe_b64encode(b'[0, "2025-01-01T00:00:00+00:00", 99999999999999999999, 20]').decode(),
        base64.urlsafe_b64encode("[0, \"二〇二五年\", 1, 20]".encode()).decode(),
    ],
)
def test_a_bad_cursor_is_a_clear_400(owner_api, cursor):
    for params in ({}, {"q": "预算"}):
        response = owner_api.get(reverse("api_links"), {**params, "cursor": cursor})
        assert response.status_code == 400
        assert response.json() == {"cursor": ["This cursor is not valid: follow a next link as it is."]}
    chinese = owner_api.get(reverse("api_links"), {"cursor": cursor}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.json() == {"cursor": ["这个游标无效：请原样使用 next 链接。"]}


def test_the_schema_documents_the_cursor(anon_api):
    schema = anon_api.get(reverse("api_schema"), {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/links/"]["get"]["parameters"]}
    assert {"cursor", "page", "page_size", "q", "tag"} <= set(parameters)
    assert "next" in parameters["cursor"]["description"]
    page = schema["components"]["schemas"]["PaginatedLinkList"]["properties"]
    assert "cursor" in page["next"]["description"]
