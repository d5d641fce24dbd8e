"""An API list or search costs an exact number of SQL queries, whatever the number of rows behind
it. Each count lists its queries; PostgreSQL and SQLite run the same ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_link, make_links, make_share

pytestmark = pytest.mark.django_db

# A page of the link list (numbered, or by the cursor of a `next` link):
#  1. the token, with its user
#  2. the number of the owner's links (the page's `count`)
#  3. the page of links, newest first (after the cursor's link, through the index)
#  4. the tags of the page's links (prefetch)
#  5. the versions of the page's links (prefetch)
LINK_LIST = 5
# The first page of a search (`?q=`). Each class is first sought among the owner's newest
# links (WINDOW and a few per result asked for), then through the index if they hold too few
# and are not all the owner's links (here they are: the index is never asked):
#  1. the token, with its user
#  2. the edge of the window: the newest links' creation time, WINDOW and more links down (none)
#  3. title and tag matches among those links: none
#  4. page-text matches among those links: enough for the page
#  5. the page's links, by id
#  6. the tags of the page's links (prefetch)
#  7. the versions of the page's links (prefetch)
SEARCH_FIRST_PAGE = 7
# A later page (`?page=3`):
#  1.-3. as a first page: the title matches up to the page's end, all of them (none), so also
#     how many come before the page
#  4. page-text matches among the newest links, from the offset less those title matches
#  5.-7. the page's links, their tags and their versions
SEARCH_LATER_PAGE = 7
# A page reached by the cursor of a `next` link among page-text matches (no title class left):
#  1. the token, with its user
#  2. the edge of the window of links after the cursor's
#  3. page-text matches among those links: enough for the page
#  4.-6. the page's links, their tags and their versions
SEARCH_CURSOR_PAGE = 6
# A search that matches nothing:
#  1. the token, with its user
#  2. the edge of the window
#  3. title and tag matches among the newest links: none
#  4. page-text matches among the newest links: none (and no links to fetch)
SEARCH_NO_MATCH = 4
# A page of the owner's shares:
#  1. the token, with its user
#  2. the number of the owner's shares (the page's `count`)
#  3. the page of shares, newest first
SHARE_LIST = 3


def test_api_list_queries_do_not_grow_with_links(owner_api, owner, other, django_assert_num_queries):
    make_links(other, 30)
    make_links(owner, 20)
    url = reverse("api_links")
    owner_api.get(url)  # the first request of a token records `last_used`; measure steady state
    with django_assert_num_queries(LINK_LIST):
        response = owner_api.get(url, {"page_size": 100})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 20
    make_links(owner, 180, tags=("预算", "统计"), start=20)
    with django_assert_num_queries(LINK_LIST):
        response = owner_api.get(url, {"page_size": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 200 and len(body["results"]) == 100
    with django_assert_num_queries(LINK_LIST):
        response = owner_api.get(body["next"])
    assert response.json()["count"] == 200 and len(response.json()["results"]) == 100


def test_api_search_queries_do_not_grow_with_matches(owner_api, owner, django_assert_num_queries):
    now = timezone.now()
    for i in range(25):
        make_link(owner, f"https://example.com/{i}", text="年度预算报告", created=now - timedelta(minutes=i))
    url = reverse("api_links")
    owner_api.get(url)  # the first request of a token records `last_used`; measure steady state
    with django_assert_num_queries(SEARCH_FIRST_PAGE):
        first = owner_api.get(url, {"q": "预算", "page_size": 10}).json()
    assert len(first["results"]) == 10 and first["count"] is None
    with django_assert_num_queries(SEARCH_CURSOR_PAGE):
        second = owner_api.get(first["next"]).json()
    assert len(second["results"]) == 10 and second["count"] is None
    with django_assert_num_queries(SEARCH_LATER_PAGE):
        last = owner_api.get(url, {"q": "预算", "page_size": 10, "page": 3}).json()
    assert len(last["results"]) == 5 and last["count"] == 25
    with django_assert_num_queries(SEARCH_NO_MATCH):
        none = owner_api.get(url, {"q": "预算 -年度"}).json()
    assert none["results"] == []


def test_api_share_list_queries_do_not_grow_with_shares(owner_api, owner, django_assert_num_queries):
    for i in range(8):
        make_link(owner, f"https://example.com/shared/{i}", tags=[f"合集{i}"])
    make_share(owner, tag="合集0", title="第一个合集")
    url = reverse("api_shares")
    owner_api.get(url)  # the first request of a token records `last_used`; measure steady state
    with django_assert_num_queries(SHARE_LIST):
        assert owner_api.get(url).json()["count"] == 1
    for i in range(1, 8):
        make_share(owner, tag=f"合集{i}", title=f"合集 {i}")
    with django_assert_num_queries(SHARE_LIST):
        assert len(owner_api.get(url).json()["results"]) == 8
