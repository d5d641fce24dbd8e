import html
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from snapshots.links import services
from snapshots.models import Link, Share
from snapshots.sharing import shares
from tests.factories import make_link

pytestmark = pytest.mark.django_db


def page_of(client, share: Share):
    return client.get(reverse("snapshots:share_page", args=[share.token]))


def test_visitor_sees_links_thumbnails_but_never_notes(client, share, report_links):
    response = page_of(client, share)
    assert response.status_code == 200
    body = response.content.decode()
    assert "政府报告合集" in body and "2025年统计公报" in body and "预算报告" in body
    assert "私人笔记" not in body
    thumb = reverse("snapshots:share_artifact", args=[share.token, report_links[0].snapshots.get().pk, "thumbnail"])
    assert thumb in body
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]
    assert client.get(thumb)["Content-Type"] == "image/webp"
    archived = client.get(thumb.replace("/thumbnail/", "/html/"))
    assert archived["Content-Security-Policy"].startswith("sandbox; default-src 'none';")
    assert archived["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Frame-Options"] == "DENY"


def test_only_links_with_the_tag_of_the_owner_and_not_hidden(client, owner, other, share, report_links):
    make_link(owner, "https://example.com/untagged", tags=("其他",), title="不相关", stored=True)
    make_link(other, "https://example.com/theirs", tags=("报告",), title="别人的报告", stored=True)
    Link.objects.filter(pk=report_links[1].pk).update(hidden_by_staff=True)
    body = page_of(client, share).content.decode()
    assert "2025年统计公报" in body
    assert "不相关" not in body and "别人的报告" not in body and "预算报告" not in body
    hidden_snapshot = report_links[1].snapshots.get()
    for name, args in (("share_snapshot", []), ("share_artifact", ["html"])):
        url = reverse(f"snapshots:{name}", args=[share.token, hidden_snapshot.pk, *args])
        assert client.get(url).status_code == 404


def test_share_page_queries_are_constant(client, owner, share, django_assert_num_queries):
    for i in range(25):
        make_link(owner, f"https://example.com/more/{i}", tags=("报告",), title=f"更多 {i}", stored=True)
    # Expected queries of each page and of the feed (both engines):
    #  1. the share by its token, with its owner: live only if active, not expired, not disabled
    #     and its owner neither suspended nor inactive
    #  2. the page of the share's links, newest first: tagged with the share's tag, not hidden,
    #     one more than a page to know whether another follows (the feed: its 50 newest)
    #  3. the newest succeeded snapshot of each of those links, in one windowed query
    with django_assert_num_queries(3):
        first = page_of(client, share)
    with django_assert_num_queries(3):
        client.get(reverse("snapshots:share_page", args=[share.token]), {"page": 2})
    assert len(first.context["rows"]) == 20
    with django_assert_num_queries(3):
        feed = client.get(reverse("snapshots:share_feed", args=[share.token]))
    assert feed.content.decode().count("<entry>") == 27


@pytest.mark.parametrize(
    "change",
    [
        {"active": False},
        {"moderation": Share.Moderation.DISABLED},
        {"expires": timezone.now() - timedelta(seconds=1)},
    ],
    ids=["paused", "disabled", "expired"],
)
def test_dark_shares_answer_404_everywhere(client, share, report_links, change):
    snapshot = report_links[0].snapshots.get()
    urls = [
        reverse("snapshots:share_page", args=[share.token]),
        reverse("snapshots:share_feed", args=[share.token]),
        reverse("snapshots:share_report", args=[share.token]),
        reverse("snapshots:share_snapshot", args=[share.token, snapshot.pk]),
        reverse("snapshots:share_artifact", args=[share.token, snapshot.pk, "html"]),
    ]
    assert [client.get(url).status_code for url in urls] == [200] * 5
    Share.objects.filter(pk=share.pk).update(**change)
    assert [client.get(url).status_code for url in urls] == [404] * 5


def test_suspended_owner_shares_go_dark_and_data_is_kept(client, owner, staff, share, report_links):
    account_services.user_suspend(user=owner, actor=staff, reason="spam")
    assert page_of(client, share).status_code == 404
    assert Link.objects.filter(owner=owner).count() == 2
    account_services.user_restore(user=owner, actor=staff, reason="appeal")
    assert page_of(client, share).status_code == 200


def test_rotate_kills_the_old_url_at_once(client, owner_client, share, report_links):
    old_token = share.token
    snapshot = report_links[0].snapshots.get()
    old_artifact = reverse("snapshots:share_artifact", args=[old_token, snapshot.pk, "html"])
    assert client.get(old_artifact).status_code == 200
    response = owner_client.post(reverse("snapshots:share_rotate", args=[share.pk]))
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.token != old_token
    assert client.get(reverse("snapshots:share_page", args=[old_token])).status_code == 404
    assert client.get(old_artifact).status_code == 404
    assert page_of(client, share).status_code == 200


def test_share_follows_rename_and_merge(client, owner, share):
    services.tag_rename(owner=owner, old="报告", new="年度报告")
    share.refresh_from_db()
    assert share.tag_name == "年度报告"
    assert "2025年统计公报" in page_of(client, share).content.decode()
    make_link(owner, "https://example.com/other-tag", tags=("统计",), title="统计数据", stored=True)
    services.tag_merge(owner=owner, sources=["年度报告"], target="统计")
    share.refresh_from_db()
    assert share.tag_name == "统计"
    body = page_of(client, share).content.decode()
    assert "2025年统计公报" in body and "统计数据" in body


def test_owner_manages_share_through_pages(owner_client, owner, report_links):
    response = owner_client.post(
        reverse("snapshots:share_list"), {"tag": "报告", "title": "我的合集", "description": "说明"}
    )
    share = Share.objects.get(owner=owner)
    assert response.status_code == 302 and response["Location"] == reverse("snapshots:share_edit", args=[share.pk])
    edit = owner_client.get(response["Location"]).content.decode()
    assert share.token in edit
    owner_client.post(reverse("snapshots:share_toggle", args=[share.pk]))
    share.refresh_from_db()
    assert share.active is False
    owner_client.post(reverse("snapshots:share_edit", args=[share.pk]), {"title": "新标题", "active": "on"})
    share.refresh_from_db()
    assert (share.title, share.active) == ("新标题", True)
    owner_client.post(reverse("snapshots:share_delete", args=[share.pk]))
    assert not Share.objects.filter(pk=share.pk).exists()
    assert Link.objects.filter(owner=owner).count() == 2


def test_share_form_rejects_unknown_tag(owner_client, owner, report_links):
    response = owner_client.post(reverse("snapshots:share_list"), {"tag": "不存在", "title": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["tag"]
    assert not Share.objects.exists()


def test_other_users_cannot_manage_a_share(other_client, share):
    for name in ("share_edit", "share_delete"):
        assert other_client.get(reverse(f"snapshots:{name}", args=[share.pk])).status_code == 404
    assert other_client.post(reverse("snapshots:share_rotate", args=[share.pk])).status_code == 404
    assert Share.objects.get(pk=share.pk).token == share.token


def test_profile_lists_collections_only_when_opted_in(client, owner_client, owner, share):
    url = reverse("snapshots:profile", args=[owner.username])
    assert client.get(url).status_code == 404
    owner_client.post(reverse("snapshots:profile_collections"), {"show_collections_on_profile": "on"})
    owner.refresh_from_db()
    assert owner.show_collections_on_profile is True
    body = client.get(url).content.decode()
    assert "政府报告合集" in body and share.token in body
    shares.share_update(share=share, data={"active": False})
    assert share.token not in client.get(url).content.decode()
    settings_page = owner_client.get(reverse("accounts:settings")).content.decode()
    assert 'name="show_collections_on_profile"' in settings_page and "checked" in settings_page


def test_feed_shows_markup_in_a_captured_description_as_text(client, owner, share):
    """Atom summaries are HTML; a page's meta description may hold markup, which must not run in a reader."""
    hostile = '<img src=x onerror="alert(1)"> 报告 & <b>摘要</b>'
    make_link(owner, "https://example.com/hostile", tags=["报告"], description=hostile)
    feed = client.get(reverse("snapshots:share_feed", args=[share.token]))
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(feed.content).iter(f"{atom}entry")
    [summary] = [e.find(f"{atom}summary") for e in entries if e.find(f"{atom}title").text == "https://example.com/hostile"]
    assert summary.get("type") == "html"
    assert summary.text == html.escape(hostile)  # a reader unescapes the HTML once and shows the text


def test_feed_names_the_owner_as_author_and_keeps_entry_ids(client, owner, share, report_links):
    atom = "{http://www.w3.org/2005/Atom}"
    url = reverse("snapshots:share_feed", args=[share.token])
    feed = ElementTree.fromstring(client.get(url).content)
    assert feed.find(f"{atom}author/{atom}name").text == owner.username
    # Entry ids never change: a new id makes feed readers deliver the item again.
    ids = sorted(entry.find(f"{atom}id").text for entry in feed.iter(f"{atom}entry"))
    assert ids == sorted(f"link-{link.pk}" for link in report_links)
    owner.first_name, owner.last_name = "小明", "王"
    owner.save(update_fields=["first_name", "last_name"])
    feed = ElementTree.fromstring(client.get(url).content)
    assert feed.find(f"{atom}author/{atom}name").text == owner.get_full_name()
