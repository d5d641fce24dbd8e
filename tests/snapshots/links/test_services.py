import pytest
from django.urls import reverse

from snapshots.links import services
from snapshots.models import Link, Snapshot

pytestmark = pytest.mark.django_db


def test_signup_logs_in_and_lands_on_empty_list(client):
    response = client.post(
        reverse("accounts:signup"),
        {"username": "新用户", "password1": "Zx9!long-pass-word", "password2": "Zx9!long-pass-word"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("snapshots:link_list")
    assert response.context["user"].username == "新用户"
    assert "No links yet" in response.content.decode() or "还没有" in response.content.decode()


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


def test_duplicate_url_points_to_existing(owner):
    first = services.link_create(owner=owner, url="https://example.com/a", capture=False)
    with pytest.raises(services.LinkExists) as info:
        services.link_create(owner=owner, url="HTTPS://EXAMPLE.com:443/a", capture=False)
    assert info.value.existing == first


def test_tag_rename_is_scoped_to_owner(owner, other):
    mine = services.link_create(owner=owner, url="https://example.com/1", tags=["旧"], capture=False)
    theirs = services.link_create(owner=other, url="https://example.com/1", tags=["旧"], capture=False)
    assert services.tag_rename(owner=owner, old="旧", new="新") == 1
    assert mine.tags.names()[0] == "新"
    assert list(theirs.tags.names()) == ["旧"]
