"""A capture of a 4xx/5xx answer is kept as evidence but never shown as a plain success, and a
version without an error is the one a link opens."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from snapshots.models import Snapshot
from tests.factories import make_link, make_links, make_share, make_snapshot
from tests.snapshots.web.test_queries import LIST_WARM

pytestmark = pytest.mark.django_db

# A share's public page: the share, its page of links, their versions in one windowed query
# (as counted in test_share_pages).
SHARE_PAGE = 3
ENGLISH = "HTTP 404: the site answered with an error page"
CHINESE = "HTTP 404：网站返回的是错误页面"


def _error_snapshot(link, **fields) -> Snapshot:
    fields.setdefault("minutes_ago", 1)
    return make_snapshot(
        link, http_status=404, title="Error response", artifacts={"thumbnail": "bad.webp", "html": "bad.html"}, **fields
    )


def _good_snapshot(link, **fields) -> Snapshot:
    return make_snapshot(link, http_status=200, title="统计公报", artifacts={"thumbnail": "good.webp"}, **fields)


def test_list_row_shows_the_error_as_a_warning_in_both_languages(owner_client, owner):
    link = make_link(owner, "https://stats.example.cn/gone", title="已删除的公报")
    _error_snapshot(link)
    english = owner_client.get(reverse("snapshots:link_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = owner_client.get(reverse("snapshots:link_list"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'class="badge status-http-error"' in english
    assert ">HTTP 404 error<" in english and ENGLISH in english
    assert ">HTTP 404 错误<" in chinese and CHINESE in chinese
    assert "status-succeeded" not in english  # never a plain success


def test_list_thumbnail_prefers_the_newest_version_without_an_error(owner_client, owner):
    link = make_link(owner, "https://stats.example.cn/flaky")
    good = _good_snapshot(link, minutes_ago=10)
    bad = _error_snapshot(link, minutes_ago=1)
    body = owner_client.get(reverse("snapshots:link_list"), {"view": "grid"}).content.decode()  # cards
    assert reverse("snapshots:snapshot_artifact", args=[good.pk, "thumbnail"]) in body
    assert reverse("snapshots:snapshot_artifact", args=[bad.pk, "thumbnail"]) not in body
    # The newest capture's badge still says what it found.
    assert "HTTP 404" in body
    dense = owner_client.get(reverse("snapshots:link_list"), {"view": "list"}).content.decode()
    assert f'href="{reverse("snapshots:snapshot_detail", args=[good.pk])}"' in dense  # its saved copy
    assert reverse("snapshots:snapshot_detail", args=[bad.pk]) not in dense and "HTTP 404" in dense


def test_link_page_opens_the_older_good_version_and_says_why(owner_client, owner):
    link = make_link(owner, "https://stats.example.cn/flaky", title="公报")
    good = _good_snapshot(link, minutes_ago=10)
    bad = _error_snapshot(link, minutes_ago=1)
    url = reverse("snapshots:link_detail", args=[link.pk])
    english = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert english.context["shown"] == good
    body = english.content.decode()
    assert english.context["preview"].snapshot == good
    assert f'href="{reverse("snapshots:snapshot_detail", args=[good.pk])}">Version details<' in body
    assert ENGLISH in body and "HTTP 404 error" in body
    chinese = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert CHINESE in chinese and "HTTP 404 错误" in chinese
    assert "下面的存档副本是最新一个没有错误的版本。" in chinese
    # The error page itself is still there to open, with its warning.
    evidence = owner_client.get(reverse("snapshots:snapshot_detail", args=[bad.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert evidence.status_code == 200 and ENGLISH in evidence.content.decode()


def test_link_page_with_only_an_error_version_opens_it_with_the_warning(owner_client, owner):
    link = make_link(owner, "https://stats.example.cn/gone")
    bad = _error_snapshot(link)
    response = owner_client.get(reverse("snapshots:link_detail", args=[link.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["shown"] == bad
    body = response.content.decode()
    assert ENGLISH in body and "is the newest version without an error" not in body


def test_share_page_snapshot_page_and_feed_show_the_status(client, owner):
    link = make_link(owner, "https://stats.example.cn/gone", tags=("报告",), title="已删除的公报", description="旧摘要")
    bad = _error_snapshot(link)
    share = make_share(owner)
    page_url = reverse("snapshots:share_page", args=[share.token])
    english = client.get(page_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(page_url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert ">HTTP 404 error<" in english and ENGLISH in english
    assert ">HTTP 404 错误<" in chinese and CHINESE in chinese
    snapshot_url = reverse("snapshots:share_snapshot", args=[share.token, bad.pk])
    body = client.get(snapshot_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ENGLISH in body and "<h1 class=\"break\" translate=\"no\">已删除的公报</h1>" in body  # not "Error response"
    feed_url = reverse("snapshots:share_feed", args=[share.token])
    assert f"[{ENGLISH}] 旧摘要" in client.get(feed_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"[{CHINESE}] 旧摘要" in client.get(feed_url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


def test_share_prefers_the_good_version_and_then_shows_no_warning(client, owner):
    link = make_link(owner, "https://stats.example.cn/flaky", tags=("报告",), title="公报")
    good = _good_snapshot(link, minutes_ago=10)
    _error_snapshot(link, minutes_ago=1)
    share = make_share(owner)
    body = client.get(reverse("snapshots:share_page", args=[share.token]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("snapshots:share_snapshot", args=[share.token, good.pk]) in body
    assert "HTTP 404" not in body


def test_choosing_the_version_without_an_error_costs_no_query_more(owner_client, owner, django_assert_num_queries):
    """The list and a share page keep their counted queries however many error versions there are."""
    links = make_links(owner, 20, tags=("报告",))
    Snapshot.objects.bulk_create(
        Snapshot(link=link, owner=owner, status=Snapshot.Status.SUCCEEDED, http_status=code, title="Error response")
        for link in links
        for code in (404, 503, 500)
    )
    share = make_share(owner)
    owner_client.get(reverse("snapshots:link_list"))  # fills the tag bar's cache
    with django_assert_num_queries(LIST_WARM):
        body = owner_client.get(reverse("snapshots:link_list")).content.decode()
    assert body.count("status-http-error") == 20
    with django_assert_num_queries(SHARE_PAGE):
        shared = Client().get(reverse("snapshots:share_page", args=[share.token])).content.decode()
    assert shared.count("status-http-error") == 0  # each link's good version is the one shown


def test_api_says_http_error_and_keeps_the_status_values(owner_api, owner):
    link = make_link(owner, "https://stats.example.cn/flaky")
    good = _good_snapshot(link, minutes_ago=10)
    bad = _error_snapshot(link, minutes_ago=1)
    unfinished = make_snapshot(link, status=Snapshot.Status.QUEUED)
    listed = owner_api.get(f"/api/links/{link.pk}/").json()["snapshots"]
    assert [(s["id"], s["status"], s["http_error"]) for s in listed] == [
        (unfinished.pk, "queued", False),
        (bad.pk, "succeeded", True),
        (good.pk, "succeeded", False),
    ]
    one = owner_api.get(f"/api/snapshots/{bad.pk}/").json()
    assert (one["status"], one["http_status"], one["http_error"]) == ("succeeded", 404, True)


def test_schema_documents_http_error(anon_api):
    schema = anon_api.get(reverse("api_schema"), {"format": "json"}).json()
    field = schema["components"]["schemas"]["Snapshot"]["properties"]["http_error"]
    assert field["type"] == "boolean" and field["readOnly"] is True
    assert "4xx or 5xx" in field["description"]


def test_export_includes_the_http_status(owner_client, owner):
    link = make_link(owner, "https://stats.example.cn/flaky")
    good = _good_snapshot(link, minutes_ago=10)
    bad = _error_snapshot(link, minutes_ago=1)
    response = owner_client.get(reverse("snapshots:export"), {"format": "json"})
    data = json.loads(b"".join(response.streaming_content))
    snapshots = {s["id"]: s for s in data["links"][0]["snapshots"]}
    assert (snapshots[good.pk]["http_status"], snapshots[good.pk]["http_error"]) == (200, False)
    assert (snapshots[bad.pk]["http_status"], snapshots[bad.pk]["http_error"]) == (404, True)
