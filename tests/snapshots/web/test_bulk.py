"""Bulk actions on the list: tags, read state, capture again (paced), delete after a count.

Every action is tried with another user's link id among the chosen ones: it is left alone.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from snapshots import queues
from snapshots.links import bulk
from snapshots.models import LINK_TAGS_MAX, Link, Snapshot
from tests.factories import make_link, make_snapshot

pytestmark = pytest.mark.django_db

Status = Snapshot.Status
BULK_URL = "/links/bulk/"


@pytest.fixture
def mine(owner) -> list[Link]:
    return [make_link(owner, f"https://example.com/mine/{i}", tags=["政府"]) for i in range(4)]


@pytest.fixture
def theirs(other) -> Link:
    return make_link(other, "https://example.com/theirs", tags=["政府"])


def post(client, action: str, links: list[Link], **fields):
    data = {"action": action, "ids": [link.pk for link in links], "next": "/?page=1", **fields}
    return client.post(reverse("snapshots:link_bulk"), data, HTTP_ACCEPT_LANGUAGE="en")


def messages_of(client) -> list[str]:
    return [str(m) for m in client.get(reverse("snapshots:link_list")).context["messages"]]


def test_the_bulk_url_is_the_documented_one():
    assert reverse("snapshots:link_bulk") == BULK_URL


def test_add_and_remove_tags_on_the_owners_links_only(owner_client, mine, theirs):
    response = post(owner_client, "add_tags", [*mine[:3], theirs], tags="报告，Budget")
    assert response.status_code == 302 and response.url == "/?page=1"
    assert messages_of(owner_client) == ["Tags added to 3 links."]
    assert [sorted(link.tags.names()) for link in mine] == [["Budget", "报告", "政府"]] * 3 + [["政府"]]
    assert sorted(theirs.tags.names()) == ["政府"]
    post(owner_client, "remove_tags", [*mine, theirs], tags="政府, budget")
    assert [sorted(link.tags.names()) for link in mine] == [["报告"]] * 3 + [[]]
    assert sorted(theirs.tags.names()) == ["政府"]
    # Search finds the links by their new tags: the documents were refreshed.
    found = owner_client.get(reverse("snapshots:search"), {"q": "#报告"}).context["results"]
    assert sorted(row.link.pk for row in found) == sorted(link.pk for link in mine[:3])


def test_tag_actions_need_tags(owner_client, mine):
    post(owner_client, "add_tags", mine, tags=" , ")
    assert messages_of(owner_client) == ["Enter the tags to add or remove."]


def test_mark_read_and_unread(owner_client, mine, theirs):
    post(owner_client, "mark_unread", [mine[0], mine[1], theirs])
    assert [Link.objects.get(pk=link.pk).unread for link in mine] == [True, True, False, False]
    assert Link.objects.get(pk=theirs.pk).unread is False
    assert messages_of(owner_client) == ["2 links marked unread."]
    post(owner_client, "mark_read", mine)
    assert not Link.objects.filter(owner=mine[0].owner, unread=True).exists()
    assert messages_of(owner_client) == ["2 links marked read."]  # only those that changed


def test_select_all_on_the_page_takes_the_pages_rows(owner_client, mine, theirs):
    data = {"action": "mark_unread", "all_on_page": "1", "page_ids": [link.pk for link in [*mine, theirs]]}
    owner_client.post(reverse("snapshots:link_bulk"), data)
    assert Link.objects.filter(pk__in=[link.pk for link in mine], unread=True).count() == 4
    assert Link.objects.get(pk=theirs.pk).unread is False


def test_recapture_is_paced_like_an_import(
    owner_client, owner, mine, theirs, broker, settings, django_capture_on_commit_callbacks
):
    settings.CAPTURE_USER_CONCURRENCY = 10
    settings.CAPTURE_BULK_PER_MINUTE = 2
    running = make_snapshot(mine[3], status=Status.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        post(owner_client, "recapture", [*mine, theirs])
    asked = Snapshot.objects.filter(trigger=Snapshot.Trigger.BULK).order_by("id")
    # The link already being captured gets no second capture; the other user's none at all.
    assert sorted(s.link_id for s in asked) == sorted(link.pk for link in mine[:3])
    assert not theirs.snapshots.exists() and mine[3].snapshots.get() == running
    assert sorted(s.status for s in asked) == [Status.QUEUED, Status.QUEUED, Status.WAITING]
    queued = [s.pk for s in asked if s.status == Status.QUEUED]
    messages = [json.loads(raw) for raw in broker.lrange(queues.BULK_QUEUE, 0, -1)]
    assert sorted(int(m["headers"]["argsrepr"].strip("(),")) for m in messages) == sorted(queued)
    assert broker.llen(queues.CAPTURE_QUEUE) == 0
    assert messages_of(owner_client) == ["3 links will be captured again, a few at a time."]


def test_recapture_waits_behind_the_owners_share_of_workers(
    owner_client, owner, mine, broker, settings, django_capture_on_commit_callbacks
):
    settings.CAPTURE_USER_CONCURRENCY = 1
    settings.CAPTURE_BULK_PER_MINUTE = 100
    make_snapshot(make_link(owner, "https://example.com/busy"), status=Status.QUEUED)
    with django_capture_on_commit_callbacks(execute=True):
        post(owner_client, "recapture", mine)
    assert set(Snapshot.objects.filter(trigger=Snapshot.Trigger.BULK).values_list("status", flat=True)) == {
        Status.WAITING
    }
    assert broker.llen(queues.BULK_QUEUE) == 0


def test_delete_asks_first_saying_how_many_then_deletes_the_owners_links(owner_client, mine, theirs):
    chosen = [mine[0], mine[1], theirs]
    page = post(owner_client, "delete", chosen)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<h1>Delete 2 links?</h1>" in body and "Delete 2 links</button>" in body
    assert f'name="ids" value="{theirs.pk}"' not in body  # only the owner's are carried on
    assert Link.objects.filter(pk__in=[link.pk for link in chosen]).count() == 3
    zh = owner_client.post(
        reverse("snapshots:link_bulk"), {"action": "delete", "ids": [mine[0].pk]}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "删除 1 个链接？" in zh.content.decode() and "这些链接的快照" in zh.content.decode()
    post(owner_client, "delete", chosen, confirmed="1")
    assert not Link.objects.filter(pk__in=[mine[0].pk, mine[1].pk]).exists()
    assert Link.objects.filter(pk__in=[mine[2].pk, mine[3].pk, theirs.pk]).count() == 3
    assert messages_of(owner_client) == ["2 links deleted."]


def test_only_other_users_ids_change_nothing(owner_client, theirs):
    page = post(owner_client, "delete", [theirs])
    assert page.status_code == 302 and Link.objects.filter(pk=theirs.pk).exists()
    assert messages_of(owner_client) == ["Choose at least one link."]
    post(owner_client, "delete", [theirs], confirmed="1")
    assert Link.objects.filter(pk=theirs.pk).exists()


def test_too_many_ids_are_refused_with_a_clear_message(owner_client, mine):
    ids = [mine[0].pk, *range(10_000_000, 10_000_000 + bulk.BULK_MAX)]
    owner_client.post(reverse("snapshots:link_bulk"), {"action": "mark_unread", "ids": ids}, HTTP_ACCEPT_LANGUAGE="en")
    assert not Link.objects.filter(pk=mine[0].pk, unread=True).exists()
    assert messages_of(owner_client) == [f"Choose at most {bulk.BULK_MAX} links at a time."]


def test_unknown_actions_and_foreign_return_addresses_are_refused(owner_client, mine):
    response = owner_client.post(
        reverse("snapshots:link_bulk"), {"action": "drop", "ids": [mine[0].pk], "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == reverse("snapshots:link_list")
    assert Link.objects.filter(pk=mine[0].pk).exists()


def test_the_list_and_search_pages_offer_a_checkbox_per_row_and_the_bar(owner_client, mine):
    body = owner_client.get(reverse("snapshots:link_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert body.count('class="row-select" type="checkbox" name="ids"') == 4
    assert '<form id="bulk" class="bulk-bar" method="post" action="/links/bulk/"' in body
    assert body.count('name="page_ids"') == 4 and "选择本页全部" in body
    assert 'src="/static/js/bulk.js"' in body and "<script>" not in body
    results = owner_client.get(reverse("snapshots:search"), {"q": "#政府"}).content.decode()
    assert results.count('class="row-select" type="checkbox" name="ids"') == 4


def test_a_link_at_its_tag_limit_keeps_its_tags(owner_client, owner, mine):
    full = make_link(owner, "https://example.com/full", tags=[f"t{i}" for i in range(LINK_TAGS_MAX)])
    post(owner_client, "add_tags", [full, mine[0]], tags="新")
    assert len(full.tags.names()) == LINK_TAGS_MAX and "新" not in full.tags.names()
    assert "新" in mine[0].tags.names()
    assert messages_of(owner_client) == ["Tags added to 1 link."]
