"""Search page and bookmarklet."""

from __future__ import annotations

import pytest
from django.urls import reverse

from snapshots.models import Link
from tests.factories import make_link

pytestmark = pytest.mark.django_db


def test_search_page_highlights_safely_with_constant_queries(owner_client, owner, django_assert_max_num_queries):
    for i in range(3):
        make_link(owner, f"https://example.com/{i}", text=f"开头 <b>粗体</b> 这里讲政务公开第{i}条", tags=["甲", "乙"])
    with django_assert_max_num_queries(9) as few:
        response = owner_client.get(reverse("snapshots:search"), {"q": "政务公开"})
    for i in range(3, 25):
        make_link(owner, f"https://example.com/{i}", text=f"政务公开第{i}条", tags=["丙"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        many = owner_client.get(reverse("snapshots:search"), {"q": "政务公开"})
    html = response.content.decode()
    assert "<mark>政务公开</mark>" in html
    assert "<b>粗体</b>" not in html and "&lt;b&gt;粗体&lt;/b&gt;" in html
    assert len(many.context["results"]) == 20 and many.context["has_next"] is True
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
