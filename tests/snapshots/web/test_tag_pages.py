"""Tags on the forms and the tag page: quoted names with spaces, the comma rule, and a rename or
merge onto an existing tag asking first and saying how many links move."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from snapshots.links.tagging import join_tag_names, split_tag_string
from snapshots.models import Link
from tests.factories import make_link, make_links

pytestmark = pytest.mark.django_db


def _counts(owner) -> dict[str, int]:
    counts: dict[str, int] = {}
    for link in Link.objects.filter(owner=owner).prefetch_related("tags"):
        for tag in link.tags.all():
            counts[tag.name] = counts.get(tag.name, 0) + 1
    return counts


def _words(page) -> str:
    """The page's text as read: the marks around people's own words (translate="no") left out."""
    return re.sub(r"<[^>]+>", "", page.content.decode())


def test_commas_still_separate_and_spaces_stay_inside_a_name():
    assert split_tag_string("政府 报告, 新闻，公告、通知") == ["政府 报告", " 新闻", "公告", "通知"]
    assert split_tag_string('"政府 报告", “年度 总结”, 新闻') == ["政府 报告", "年度 总结", " 新闻"]
    # A lone quote is part of the name, as before.
    assert split_tag_string('say "hi') == ['say "hi']


def test_names_with_spaces_are_prefilled_in_quotes_and_round_trip(owner_client, owner):
    link = make_link(owner, "https://example.com/t", tags=("政府 报告", "新闻"))
    form = owner_client.get(reverse("snapshots:link_edit", args=[link.pk])).context["form"]
    prefilled = form.initial["tags"]
    assert '"政府 报告"' in prefilled
    assert sorted(n.strip() for n in split_tag_string(prefilled)) == sorted(["政府 报告", "新闻"])
    data = {"url": link.url, "tags": prefilled, "title": "", "description": "", "notes": "", "recapture": ""}
    response = owner_client.post(reverse("snapshots:link_edit", args=[link.pk]), data)
    assert response.status_code == 302
    assert sorted(link.tags.names()) == ["政府 报告", "新闻"]
    assert join_tag_names(["a b", "c"]) == '"a b", c'


def test_tags_typed_with_quotes_and_chinese_separators_on_the_add_form(owner_client, owner):
    data = {"url": "https://example.com/new", "tags": '"政府 报告"，新闻、公告, 年度 总结'}
    assert owner_client.post(reverse("snapshots:link_add"), data).status_code == 302
    link = owner.links.get()
    assert sorted(link.tags.names()) == sorted(["政府 报告", "新闻", "公告", "年度 总结"])


def test_rename_onto_an_existing_tag_asks_first_and_counts_the_links(owner_client, owner, other):
    make_links(owner, 12, tags=("政府",))
    make_links(owner, 3, tags=("报告",), start=12)
    make_links(owner, 2, tags=("政府", "报告"), start=15)
    make_links(other, 4, tags=("政府", "报告"))
    page = owner_client.post(reverse("snapshots:tag_rename"), {"old": "政府", "new": "报告"})
    assert page.status_code == 200
    assert "Merge 政府 into 报告? 14 links move." in _words(page)
    assert '<span translate="no">政府</span>' in page.content.decode()  # the names are marked as the person's
    assert _counts(owner) == {"政府": 14, "报告": 5}  # nothing merged yet
    confirmed = owner_client.post(
        reverse("snapshots:tag_rename"), {"old": "政府", "new": "报告", "confirm": "1"}, follow=True
    )
    assert any(m.level_tag == "success" for m in confirmed.context["messages"])
    assert _counts(owner) == {"报告": 17}
    assert _counts(other) == {"政府": 4, "报告": 4}


def test_the_question_is_in_chinese_with_chinese_punctuation(owner_client, owner):
    make_links(owner, 1, tags=("政府",))
    make_links(owner, 1, tags=("报告",), start=1)
    page = owner_client.post(
        reverse("snapshots:tag_rename"), {"old": "政府", "new": "报告"}, HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert "把“政府”合并到“报告”？1 个链接会移过去。" in _words(page)


def test_a_rename_onto_a_new_name_or_another_users_tag_needs_no_question(owner_client, owner, other):
    make_links(owner, 2, tags=("政府",))
    make_links(other, 1, tags=("公文",))
    response = owner_client.post(reverse("snapshots:tag_rename"), {"old": "政府", "new": "公文"})
    assert response.status_code == 302
    assert _counts(owner) == {"公文": 2}
    # A change of case only is a rename too.
    make_links(owner, 1, tags=("News",), start=2)
    assert owner_client.post(reverse("snapshots:tag_rename"), {"old": "News", "new": "news"}).status_code == 302


def test_merge_form_asks_first_with_the_count(owner_client, owner):
    make_links(owner, 2, tags=("报告", "公告"))
    make_links(owner, 1, tags=("公告",), start=2)
    make_links(owner, 1, tags=("文件",), start=3)
    data = {"sources": "报告，公告", "target": "文件"}
    page = owner_client.post(reverse("snapshots:tag_merge"), data)
    html = page.content.decode()
    assert "Merge 报告, 公告 into 文件? 3 links move." in _words(page)
    assert 'name="confirm" value="1"' in html and 'name="sources" value="报告，公告"' in html
    assert _counts(owner) == {"报告": 2, "公告": 3, "文件": 1}
    owner_client.post(reverse("snapshots:tag_merge"), {**data, "confirm": "1"})
    assert _counts(owner) == {"文件": 4}


def test_autocomplete_is_owner_only_limited_and_constant_in_queries(
    owner_client, owner, other, django_assert_num_queries
):
    make_links(owner, 1, tags=tuple(f"政{i}" for i in range(30)))
    make_links(other, 1, tags=("政治",))
    url = reverse("snapshots:tag_autocomplete")
    with django_assert_num_queries(3):  # session, user, tags
        tags = owner_client.get(url, {"q": "政"}).json()["tags"]
    assert len(tags) == 20 and "政治" not in tags
    make_links(owner, 5, tags=tuple(f"政{i}" for i in range(30, 60)), start=1)
    with django_assert_num_queries(3):
        assert len(owner_client.get(url, {"q": "政"}).json()["tags"]) == 20
    owner_client.logout()
    assert owner_client.get(url, {"q": "政"}).status_code == 302


def test_the_question_costs_the_same_queries_for_one_tag_or_many(owner_client, owner, django_assert_num_queries):
    names = tuple(f"标签{i}" for i in range(10))
    make_links(owner, 30, tags=(*names, "文件"))
    for sources in (names[0], "，".join(names)):
        with django_assert_num_queries(4):  # session, user, the target is theirs, links that move
            page = owner_client.post(reverse("snapshots:tag_merge"), {"sources": sources, "target": "文件"})
        assert "30 links move." in _words(page)
