"""The link and tag pages, walked the way a person uses them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from snapshots.links import services
from snapshots.models import Link, Snapshot
from snapshots.search.ranked import RankedResults
from tests.factories import make_link, make_links

pytestmark = pytest.mark.django_db

CN_URL = "https://example.com/路径?q=1"
STORED = "https://example.com/%E8%B7%AF%E5%BE%84?q=1"


def test_add_see_filter_edit_delete(owner_client, owner):
    add = owner_client.get(reverse("snapshots:link_add"))
    assert add.status_code == 200 and 'list="tag-suggestions"' in add.content.decode()
    response = owner_client.post(reverse("snapshots:link_add"), {"url": CN_URL, "tags": "政府,报告", "notes": "记"})
    assert response.status_code == 302 and response.url == reverse("snapshots:link_list")
    link = Link.objects.get(owner=owner)
    assert (link.url, sorted(link.tags.names()), link.notes) == (STORED, sorted(["政府", "报告"]), "记")
    assert link.snapshots.get().status == Snapshot.Status.QUEUED

    listing = owner_client.get(reverse("snapshots:link_list"), follow=True)
    assert [x.pk for x in listing.context["page"].object_list] == [link.pk]
    assert "example.com" in listing.content.decode()

    filtered = owner_client.get(reverse("snapshots:link_list"), {"tag": "政府"})
    assert [x.pk for x in filtered.context["page"].object_list] == [link.pk]
    assert not owner_client.get(reverse("snapshots:link_list"), {"tag": "新闻"}).context["page"].object_list

    edit_url = reverse("snapshots:link_edit", args=[link.pk])
    form = owner_client.get(edit_url).context["form"]
    assert form.initial["tags"] in ("政府, 报告", "报告, 政府")
    response = owner_client.post(edit_url, {"url": CN_URL, "tags": "报告, 年度 统计", "title": "新标题"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.title == "新标题" and sorted(link.tags.names()) == sorted(["报告", "年度 统计"])

    delete_url = reverse("snapshots:link_delete", args=[link.pk])
    confirm = owner_client.get(delete_url)
    assert confirm.status_code == 200 and "新标题" in confirm.content.decode()
    assert Link.objects.filter(pk=link.pk).exists()
    response = owner_client.post(delete_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("snapshots:link_list")
    assert not Link.objects.filter(pk=link.pk).exists()
    assert any(m.level_tag == "success" for m in response.context["messages"])


def test_keep_as_served_is_set_on_the_add_form_and_cleared_on_the_edit_form(owner_client, owner):
    response = owner_client.post(reverse("snapshots:link_add"), {"url": CN_URL, "keep_as_served": "on"})
    assert response.status_code == 302
    link = Link.objects.get(owner=owner)
    assert link.keep_as_served is True
    edit_url = reverse("snapshots:link_edit", args=[link.pk])
    page = owner_client.get(edit_url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "保持页面原样" in page and 'name="keep_as_served"' in page
    assert re.search(r'<input[^>]*name="keep_as_served"[^>]*checked', page), "the box is not ticked"
    english = owner_client.get(edit_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Keep the page exactly as served" in english
    assert owner_client.post(edit_url, {"url": CN_URL}).status_code == 302  # the box left unticked
    link.refresh_from_db()
    assert link.keep_as_served is False


def test_duplicate_url_in_form_points_to_the_existing_link(owner_client, owner):
    first = make_link(owner, CN_URL)
    response = owner_client.post(reverse("snapshots:link_add"), {"url": "HTTPS://EXAMPLE.COM:443/路径?q=1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{reverse("snapshots:link_detail", args=[first.pk])}"' in html
    assert Link.objects.filter(owner=owner).count() == 1


def test_duplicate_url_on_edit_is_refused(owner_client, owner):
    make_link(owner, "https://example.com/a")
    b = make_link(owner, "https://example.com/b")
    response = owner_client.post(reverse("snapshots:link_edit", args=[b.pk]), {"url": "https://example.com/a"})
    assert response.status_code == 200 and response.context["form"].errors["url"]
    b.refresh_from_db()
    assert b.url == "https://example.com/b"


def test_two_users_may_save_the_same_url(owner, other):
    services.link_create(owner=owner, url=CN_URL, capture=False)
    services.link_create(owner=other, url=CN_URL, capture=False)
    assert Link.objects.filter(url=STORED).count() == 2


def test_list_is_newest_first_and_paginated(owner_client, owner):
    links = make_links(owner, 45)
    page1 = owner_client.get(reverse("snapshots:link_list"))
    assert [x.pk for x in page1.context["page"].object_list] == [x.pk for x in links[:20]]
    page3 = owner_client.get(reverse("snapshots:link_list"), {"page": 3, "tag": "政府"})
    assert [x.pk for x in page3.context["page"].object_list] == [x.pk for x in links[40:]]
    html = page1.content.decode()
    assert 'rel="next"' in html and 'class="shot"' in html
    assert owner_client.get(reverse("snapshots:link_list"), {"page": "abc"}).status_code == 200


@pytest.mark.parametrize("window", [2, 500])
def test_a_folder_of_old_bookmarks_pages_the_same_from_the_newest_links_or_its_index(
    owner_client, owner, monkeypatch, window
):
    """A tag's page is first sought among the newest links, then through the tag's taggings."""
    monkeypatch.setattr(RankedResults, "WINDOW", window)
    monkeypatch.setattr(RankedResults, "WINDOW_PER_RESULT", 0)
    long_ago = timezone.now() - timedelta(days=3000)
    folder = [
        make_link(owner, f"https://bookmarks.example/{i}", tags=["旧书签"], created=long_ago - timedelta(hours=i))
        for i in range(25)
    ]
    newer = make_links(owner, 30, tags=("新",))
    pages = [
        [link.pk for link in owner_client.get(reverse("snapshots:link_list"), {"tag": tag, "page": n}).context["page"]]
        for tag, n in (("旧书签", 1), ("旧书签", 2), ("新", 2))
    ]
    assert pages == [[x.pk for x in folder[:20]], [x.pk for x in folder[20:]], [x.pk for x in newer[20:]]]


def test_search_finds_by_title(owner_client, owner):
    make_link(owner, "https://example.com/1", title="财政预算报告")
    make_link(owner, "https://example.com/2", title="天气")
    response = owner_client.get(reverse("snapshots:link_list"), {"q": "预算"})
    assert [x.title for x in response.context["page"].object_list] == ["财政预算报告"]


def test_empty_states(owner_client):
    html = owner_client.get(reverse("snapshots:link_list")).content.decode()
    assert 'class="empty"' in html and reverse("snapshots:link_add") in html
    html = owner_client.get(reverse("snapshots:link_list"), {"tag": "无"}).content.decode()
    assert 'class="empty"' in html
    html = owner_client.get(reverse("snapshots:tag_list")).content.decode()
    assert 'class="empty"' in html


def test_tag_list_counts_only_own_links(owner_client, owner, other):
    make_links(owner, 3, tags=("政府", "报告"))
    make_links(owner, 1, tags=("政府",), start=3)
    make_links(other, 7, tags=("政府", "别人"))
    tags = {t.name: t.count for t in owner_client.get(reverse("snapshots:tag_list")).context["tags"]}
    assert tags == {"政府": 4, "报告": 3}


def test_rename_and_merge_from_the_tag_page(owner_client, owner, other):
    make_links(owner, 2, tags=("政府", "报告"))
    make_links(owner, 1, tags=("公告",), start=2)
    theirs = make_links(other, 1, tags=("政府", "公告"))[0]
    response = owner_client.post(reverse("snapshots:tag_rename"), {"old": "政府", "new": "政务 公开"}, follow=True)
    assert any(m.level_tag == "success" for m in response.context["messages"])
    response = owner_client.post(
        reverse("snapshots:tag_merge"), {"sources": "报告，公告", "target": "文件"}, follow=True
    )
    counts = {t.name: t.count for t in response.context["tags"]}
    assert counts == {"政务 公开": 2, "文件": 3}
    assert sorted(theirs.tags.names()) == sorted(["政府", "公告"])


def test_rename_to_an_empty_or_overlong_name_is_refused(owner_client, owner):
    make_links(owner, 1, tags=("政府",))
    for new in ("  ", "长" * 101):
        response = owner_client.post(reverse("snapshots:tag_rename"), {"old": "政府", "new": new}, follow=True)
        assert any(m.level_tag == "error" for m in response.context["messages"]), new
    assert list(owner.links.get().tags.names()) == ["政府"]


def test_tag_autocomplete_suggests_only_own_tags(owner_client, owner, other):
    make_links(owner, 1, tags=("政府", "政策"))
    make_links(other, 1, tags=("政治",))
    assert sorted(owner_client.get(reverse("snapshots:tag_autocomplete"), {"q": "政"}).json()["tags"]) == sorted(
        ["政府", "政策"]
    )


def test_tag_pages_refuse_get_for_writes(owner_client):
    assert owner_client.get(reverse("snapshots:tag_rename")).status_code == 405
    assert owner_client.get(reverse("snapshots:tag_merge")).status_code == 405


def test_pages_show_urls_as_people_read_them(owner_client, owner):
    link = make_link(owner, "https://例子.测试/路径?q=政府")
    for page in (reverse("snapshots:link_list"), reverse("snapshots:link_detail", args=[link.pk])):
        html = owner_client.get(page).content.decode()
        assert "https://例子.测试/路径?q=政府" in html
        assert f'href="{link.url}"' in html


def test_decoded_urls_lose_hidden_bidi_overrides(owner_client, owner):
    link = make_link(owner, "https://example.com/%E2%80%AEfdp.exe")
    html = owner_client.get(reverse("snapshots:link_detail", args=[link.pk])).content.decode()
    assert "\u202e" not in html
    assert "https://example.com/fdp.exe" in html


def test_tag_bar_marks_the_filtered_tag_in_any_case_and_encodes_names(owner_client, owner):
    make_link(owner, "https://example.com/a", tags=["R&D", "报告"])
    make_link(owner, "https://example.com/b", tags=["报告"])
    body = owner_client.get(reverse("snapshots:link_list"), {"tag": "r&d"}).content.decode()
    assert '<a class="tag active" href="?tag=R%26D"><span translate="no">R&amp;D</span> <span class="count">1' in body
    report = '<a class="tag" href="?tag=%E6%8A%A5%E5%91%8A"><span translate="no">报告</span>'
    assert f'{report} <span class="count">2' in body
    assert 'id="link-' in body and body.count('class="link-row"') == 1


def test_tag_filter_beyond_the_tag_bar_still_filters_by_name(owner_client, owner):
    common = [f"a{i:02}" for i in range(51)]
    for i in range(2):
        make_link(owner, f"https://example.com/common/{i}", tags=common)
    rare = make_link(owner, "https://example.com/rare", tags=["Zz稀有"])
    response = owner_client.get(reverse("snapshots:link_list"), {"tag": "zz稀有"})
    assert "Zz稀有" not in {t["name"] for t in response.context["tags"]}  # not among the 50 shown
    assert [row.link.pk for row in response.context["rows"]] == [rare.pk]
    assert response.context["page"].paginator.count == 1
    by_bar = owner_client.get(reverse("snapshots:link_list"), {"tag": "A00"})
    assert len(by_bar.context["rows"]) == 2 and by_bar.context["active_tag"] == "a00"


def test_add_link_with_chinese_tags_then_filter(owner_client, owner):
    response = owner_client.post(
        reverse("snapshots:link_add"),
        {"url": "https://example.com/路径?q=1", "tags": "政府,报告", "notes": "<b>note</b>"},
    )
    assert response.status_code == 302
    link = Link.objects.get(owner=owner)
    assert link.url == "https://example.com/%E8%B7%AF%E5%BE%84?q=1"
    assert sorted(link.tags.names()) == ["报告", "政府"]
    assert link.snapshots.get().status == Snapshot.Status.QUEUED
    page = owner_client.get(reverse("snapshots:link_list"), {"tag": "政府"}).content.decode()
    assert "example.com" in page
    assert "<b>note</b>" not in page
    assert list(owner_client.get(reverse("snapshots:link_list"), {"tag": "无"}).context["page"].object_list) == []
