"""Search page and bookmarklet."""

from __future__ import annotations

import pytest
from django.urls import reverse

from snapshots.models import Link
from tests.factories import make_link

pytestmark = pytest.mark.django_db


# The first page of results (both engines):
#  1. the session
#  2. the signed-in user
#  3. the edge of the window of the owner's newest links that each class is first sought in
#     (none here: it holds them all, so the index is never asked)
#  4. title and tag matches among those links: none
#  5. page-text matches among those links: the page's
#  6. the page's links, by id
#  7. each of them's newest version and newest succeeded version, in one windowed query
#  8. their tags
#  9. a window of page text around the first match of each, for the excerpts
FIRST_PAGE = 9
# A later page:
#  1.-4. as a first page: the title matches up to the page's end, all of them (none), so also
#     how many come before the page
#  5. page-text matches among the newest links, from the offset less those title matches
#  6.-9. the page's links, their versions, their tags and their excerpts
LATER_PAGE = 9


def test_search_page_highlights_safely_with_constant_queries(owner_client, owner, django_assert_num_queries):
    for i in range(3):
        make_link(owner, f"https://example.com/{i}", text=f"开头 <b>粗体</b> 这里讲政务公开第{i}条", tags=["甲", "乙"])
    with django_assert_num_queries(FIRST_PAGE):
        response = owner_client.get(reverse("snapshots:search"), {"q": "政务公开"})
    for i in range(3, 25):
        make_link(owner, f"https://example.com/{i}", text=f"政务公开第{i}条", tags=["丙"])
    with django_assert_num_queries(FIRST_PAGE):
        many = owner_client.get(reverse("snapshots:search"), {"q": "政务公开"})
    html = response.content.decode()
    assert "<mark>政务公开</mark>" in html
    assert "<b>粗体</b>" not in html and "&lt;b&gt;粗体&lt;/b&gt;" in html
    assert len(many.context["results"]) == 20 and many.context["has_next"] is True
    with django_assert_num_queries(LATER_PAGE):
        second = owner_client.get(reverse("snapshots:search"), {"q": "政务公开", "page": "2"})
    assert len(second.context["results"]) == 5 and second.context["has_next"] is False


def test_search_page_empty_states(owner_client):
    assert owner_client.get(reverse("snapshots:search")).context["results"] is None
    response = owner_client.get(reverse("snapshots:search"), {"q": "不存在的词"})
    assert response.context["results"] == []
    assert response.status_code == 200


def test_list_page_form_goes_to_search(owner_client):
    html = owner_client.get(reverse("snapshots:link_list")).content.decode()
    assert f'action="{reverse("snapshots:search")}"' in html


def test_bookmarklet_opens_prefilled_popup_and_saves(owner_client, owner):
    settings_page = owner_client.get(reverse("accounts:settings")).content.decode()
    assert 'href="javascript:(function(){' in settings_page
    assert "http://testserver/links/add/?popup=1&amp;url=" in settings_page
    popup = owner_client.get(
        reverse("snapshots:link_add"), {"popup": "1", "url": "https://www.gov.cn/报告", "title": "政务公开 年报"}
    )
    html = popup.content.decode()
    assert popup.templates[0].name == "snapshots/link_popup.html"
    assert 'value="https://www.gov.cn/报告"' in html and 'value="政务公开 年报"' in html
    done = owner_client.post(
        reverse("snapshots:link_add") + "?popup=1", {"url": "https://www.gov.cn/报告", "title": "政务公开 年报"}
    )
    assert done.templates[0].name == "snapshots/popup_done.html"
    assert Link.objects.get(owner=owner).title == "政务公开 年报"


def test_excerpts_find_latin_words_in_any_case_and_chinese_as_written(owner_client, owner):
    # Both matches lie past the first window of text, so the window must be found around them.
    make_link(owner, "https://example.com/en", text="Preface. " * 40 + "The national ANNUAL Report of 2025 on prices")
    make_link(owner, "https://example.com/zh", text="前言很长" * 30 + "年度统计公报和居民收入")
    latin = owner_client.get(reverse("snapshots:search"), {"q": "annual"}).content.decode()
    assert "national <mark>ANNUAL</mark> Report" in latin
    chinese = owner_client.get(reverse("snapshots:search"), {"q": "统计公报"}).content.decode()
    assert "前言很长年度<mark>统计公报</mark>和居民收入…" in chinese
    assert '<p class="excerpt" translate="no">…' in chinese
