"""Live capture status: one poll per page, asking only about unfinished captures, backing off,
and stopping once they have all finished; a finished capture's title fills in the row."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from snapshots.archive import lifecycle
from snapshots.models import Link, Snapshot
from snapshots.web import live
from tests.factories import make_link, make_share, make_snapshot

pytestmark = pytest.mark.django_db

Status = Snapshot.Status
POLLER = re.compile(r'<div id="live-poll" class="live-poll"(?: hx-get="([^"]*)" hx-trigger="load delay:(\d+)s")?')


def poller(body: str) -> tuple[str, int] | None:
    """The page's one poller: (its URL, its delay), or None when it is idle."""
    found = POLLER.findall(body)
    assert len(found) == 1, body
    url, delay = found[0]
    return (url.replace("&amp;", "&"), int(delay)) if url else None


def finish(snapshot: Snapshot, *, title: str = "", description: str = "") -> None:
    """The capture's own write path: the page's title and description fill in an empty link's."""
    result = SimpleNamespace(
        ok=True, error="", artifacts={}, text="正文", notes=[], final_url=snapshot.link.url, http_status=200,
        content_type="text/html", title=title, description=description, language="zh", charset="utf-8",
        timings={},
    )
    lifecycle.snapshot_finish(snapshot.pk, result)


@pytest.fixture
def page(owner) -> dict[str, Link]:
    done = make_link(owner, "https://example.com/done")
    make_snapshot(done)
    running = make_link(owner, "https://example.com/running")
    make_snapshot(running, status=Status.RUNNING)
    waiting = make_link(owner, "https://example.com/waiting")
    make_snapshot(waiting, status=Status.WAITING)
    return {"done": done, "running": running, "waiting": waiting}


def test_the_list_has_one_poller_for_its_unfinished_rows_and_no_poll_per_row(owner_client, page):
    body = owner_client.get(reverse("snapshots:link_list")).content.decode()
    url, delay = poller(body)
    assert body.count("hx-get") == 1 and "every 2s" not in body
    assert delay == live.POLL_DELAYS[0]
    ids = re.search(r"ids=([\d%C,]+)", url).group(1).replace("%2C", ",")
    assert sorted(int(pk) for pk in ids.split(",")) == sorted([page["running"].pk, page["waiting"].pk])


def test_a_page_with_every_capture_finished_does_not_poll(owner_client, owner):
    make_snapshot(make_link(owner, "https://example.com/a"))
    make_snapshot(make_link(owner, "https://example.com/b"), status=Status.FAILED, error_code="timeout")
    body = owner_client.get(reverse("snapshots:link_list")).content.decode()
    assert poller(body) is None and "hx-trigger" not in body


def test_the_poll_returns_only_the_rows_asked_about_and_backs_off(owner_client, page):
    running, waiting, done = page["running"], page["waiting"], page["done"]
    rounds = []
    url = f"{reverse('snapshots:rows_live')}?ids={running.pk},{waiting.pk}&desc=1"
    for _ in range(8):
        body = owner_client.get(url).content.decode()
        assert f'id="status-{running.pk}" hx-swap-oob="true"' in body
        assert f'id="title-{waiting.pk}"' in body and f'id="desc-{waiting.pk}"' in body
        assert f'id="status-{done.pk}"' not in body
        url, delay = poller(body)
        rounds.append(delay)
    assert rounds == [2, 3, 5, 8, 13, 15, 15, 15]


def test_a_finished_capture_fills_in_the_row_and_the_poll_stops(owner_client, owner, page):
    running, waiting = page["running"], page["waiting"]
    url = f"{reverse('snapshots:rows_live')}?ids={running.pk},{waiting.pk}&desc=1&n=3"
    finish(running.snapshots.get(), title="政府工作报告", description="全文 & 附件")
    body = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    title = f'<a class="link-title" translate="no" id="title-{running.pk}" href="/links/{running.pk}/"'
    title += ' hx-swap-oob="true">'
    assert f"{title}政府工作报告</a>" in body
    assert f'<p class="link-desc" translate="no" id="desc-{running.pk}" hx-swap-oob="true">全文 &amp; 附件</p>' in body
    assert "status-succeeded" in body
    copy = reverse("snapshots:snapshot_detail", args=[running.snapshots.get().pk])
    assert f'<span class="copy-slot" id="copy-{running.pk}" hx-swap-oob="true"><a href="{copy}"' in body
    next_url, delay = poller(body)
    assert f"ids={waiting.pk}&" in next_url and "n=4" in next_url and delay == 8
    Snapshot.objects.filter(link=waiting).update(status=Status.FAILED, error_code="timeout")
    body = owner_client.get(next_url).content.decode()
    assert f'id="status-{waiting.pk}" hx-swap-oob="true"' in body and "status-failed" in body
    assert poller(body) is None and "hx-trigger" not in body


def test_the_list_row_gives_the_parts_the_poll_swaps_their_ids(owner_client, page):
    """An unfinished row without a description still has the element its description fills."""
    body = owner_client.get(reverse("snapshots:link_list")).content.decode()
    running = page["running"].pk
    assert f'<div class="shot" id="status-{running}">' in body
    assert f'id="title-{running}"' in body and f'<p class="link-desc" translate="no" id="desc-{running}"></p>' in body


def test_grid_cards_poll_for_their_thumbnails(owner_client, page):
    owner_client.cookies["list_view"] = "grid"
    url, _delay = poller(owner_client.get(reverse("snapshots:link_list")).content.decode())
    assert "view=grid" in url
    Snapshot.objects.filter(link=page["running"]).update(status=Status.SUCCEEDED, artifacts={"thumbnail": "x.webp"})
    body = owner_client.get(url).content.decode()
    assert 'class="thumb"' in body and "x.webp" not in body  # served through the artifact view
    assert reverse("snapshots:snapshot_artifact", args=[page["running"].snapshots.get().pk, "thumbnail"]) in body


def test_other_users_ids_are_left_out(other_client, page):
    ids = ",".join(str(link.pk) for link in page.values())
    body = other_client.get(f"{reverse('snapshots:rows_live')}?ids={ids}").content.decode()
    assert "status-" not in body and "title-" not in body and poller(body) is None
    assert other_client.get(reverse("snapshots:link_live", args=[page["running"].pk])).status_code == 404


def test_the_poll_costs_the_same_queries_for_one_row_or_a_page(owner_client, owner, django_assert_num_queries):
    links = [make_link(owner, f"https://example.com/q{i}") for i in range(20)]
    for link in links:
        make_snapshot(link, status=Status.QUEUED)
    # 1. the session  2. the user  3. the links asked about  4. their newest versions  5. their tags
    for chosen in (links[:1], links):
        url = f"{reverse('snapshots:rows_live')}?ids={','.join(str(link.pk) for link in chosen)}"
        with django_assert_num_queries(5):
            assert owner_client.get(url).status_code == 200


def test_capture_again_on_the_link_page_updates_it_live(owner_client, owner):
    link = make_link(owner, "https://example.com/article")
    make_snapshot(link, minutes_ago=60)
    body = owner_client.get(reverse("snapshots:link_detail", args=[link.pk])).content.decode()
    assert poller(body) is None
    owner_client.post(reverse("snapshots:link_capture", args=[link.pk]))
    body = owner_client.get(reverse("snapshots:link_detail", args=[link.pk])).content.decode()
    url, delay = poller(body)
    assert url.startswith(reverse("snapshots:link_live", args=[link.pk])) and delay == 2
    # Nothing changed yet: the answer is the next poller only, the page is left as it is.
    body = owner_client.get(url).content.decode()
    assert 'id="link-page"' not in body
    url, delay = poller(body)
    assert delay == 3
    finish(link.snapshots.order_by("-id").first(), title="新标题", description="新的描述")
    body = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<div id="link-page" hx-swap-oob="true">' in body
    assert "新标题</h1>" in body and "新的描述" in body and body.count("status-succeeded") == 2
    assert poller(body) is None and "hx-trigger" not in body


def test_the_link_pages_poll_costs_constant_queries(owner_client, owner, django_assert_num_queries):
    link = make_link(owner, "https://example.com/versions", tags=["政府"])
    for minutes in range(5):
        make_snapshot(link, minutes_ago=minutes + 1)
    make_snapshot(link, status=Status.RUNNING)
    url = reverse("snapshots:link_live", args=[link.pk])
    # 1. the session  2. the user  3. the link  4. its versions  5. its tags (the page is sent again)
    with django_assert_num_queries(5):
        assert 'id="link-page"' in owner_client.get(url).content.decode()


def test_the_snapshot_page_polls_until_its_capture_ends(owner_client, other_client, owner):
    link = make_link(owner, "https://example.com/snapshot")
    snapshot = make_snapshot(link, status=Status.QUEUED)
    body = owner_client.get(reverse("snapshots:snapshot_detail", args=[snapshot.pk])).content.decode()
    url, delay = poller(body)
    assert url.startswith(reverse("snapshots:snapshot_live", args=[snapshot.pk])) and delay == 2
    assert 'id="snapshot-page"' not in owner_client.get(url).content.decode()  # nothing changed yet
    assert other_client.get(url).status_code == 404
    finish(snapshot, title="快照标题")
    body = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<div id="snapshot-page" hx-swap-oob="true">' in body and "快照标题" in body
    assert poller(body) is None and "hx-trigger" not in body


def test_staff_looking_at_a_shared_snapshot_do_not_poll(staff_client, owner):
    link = make_link(owner, "https://example.com/shared", tags=["报告"])
    snapshot = make_snapshot(link, status=Status.RUNNING)
    make_share(owner, tag="报告")
    body = staff_client.get(reverse("snapshots:snapshot_detail", args=[snapshot.pk])).content.decode()
    assert poller(body) is None


def test_a_share_page_follows_its_captures_for_its_owner_only(owner_client, other_client, owner):
    link = make_link(owner, "https://example.com/shared-live", tags=["报告"])
    running = make_snapshot(link, status=Status.RUNNING)
    share = make_share(owner, tag="报告")
    page = reverse("snapshots:share_page", args=[share.token])
    assert poller(other_client.get(page).content.decode()) is None  # visitors are told nothing
    url, delay = poller(owner_client.get(page).content.decode())
    assert url == f"{reverse('snapshots:share_live', args=[share.token])}?ids={link.pk}&n=1" and delay == 2
    assert other_client.get(url).status_code == 404 and Client().get(url).status_code == 404
    body = owner_client.get(url).content.decode()
    assert f'<li class="link-row" id="link-{link.pk}" hx-swap-oob="true">' in body and poller(body)
    Snapshot.objects.filter(pk=running.pk).update(status=Status.SUCCEEDED, artifacts={"thumbnail": "t.webp"})
    body = owner_client.get(url).content.decode()
    assert reverse("snapshots:share_snapshot", args=[share.token, running.pk]) in body
    assert poller(body) is None and "hx-trigger" not in body


def test_the_versions_page_follows_a_capture_until_it_is_saved(owner_client, other_client, owner):
    link = make_link(owner, "https://example.com/versions-live", title="公报")
    make_snapshot(link, text="第一版", minutes_ago=60)
    make_snapshot(link, text="第二版", minutes_ago=30)
    page = reverse("snapshots:version_compare", args=[link.pk])
    assert poller(owner_client.get(page).content.decode()) is None  # every capture has ended
    owner_client.post(reverse("snapshots:link_capture", args=[link.pk]))
    body = owner_client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="badge status-' in body and "A new version is being captured" in body
    url, delay = poller(body)
    assert url.startswith(reverse("snapshots:versions_live", args=[link.pk])) and delay == 2
    assert other_client.get(url).status_code == 404
    body = owner_client.get(url).content.decode()
    assert 'id="versions-page"' not in body  # nothing changed yet: the next poller only
    url, delay = poller(body)
    assert delay == 3
    capture = link.snapshots.order_by("-id").first()
    finish(capture)
    Snapshot.objects.filter(pk=capture.pk).update(text="第三版", artifacts={"screenshot": "s.png"})
    body = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<div id="versions-page" hx-swap-oob="true">' in body
    assert "being captured" not in body and "正在抓取新版本" not in body
    assert f'<option value="{capture.pk}" selected>' in body  # the new version is compared by default
    assert "第<mark>三</mark>版" in body and "第<mark>二</mark>版" in body
    assert reverse("snapshots:snapshot_artifact", args=[capture.pk, "screenshot"]) in body  # its preview
    assert poller(body) is None and "hx-trigger" not in body


def test_the_versions_page_shows_a_failed_capture_and_keeps_the_chosen_pair(owner_client, owner):
    link = make_link(owner, "https://example.com/versions-failed")
    first = make_snapshot(link, text="甲", minutes_ago=60)
    second = make_snapshot(link, text="乙", minutes_ago=30)
    running = make_snapshot(link, status=Status.RUNNING)
    page = reverse("snapshots:version_compare", args=[link.pk]) + f"?old={second.pk}&new={first.pk}"
    url, _delay = poller(owner_client.get(page).content.decode())
    assert f"old={second.pk}" in url and f"new={first.pk}" in url
    Snapshot.objects.filter(pk=running.pk).update(status=Status.FAILED, error_code="timeout")
    body = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="badge status-failed">Capture failed</span>' in body
    assert f'<option value="{second.pk}" selected>' in body.split('id="old"')[1].split("</select>")[0]
    assert poller(body) is None


def test_the_versions_pages_poll_costs_constant_queries(owner_client, owner, django_assert_num_queries):
    link = make_link(owner, "https://example.com/versions-queries")
    for minutes in range(5):
        make_snapshot(link, text=f"第{minutes}版", minutes_ago=minutes + 1)
    make_snapshot(link, status=Status.RUNNING)
    url = reverse("snapshots:versions_live", args=[link.pk])
    # 1. the session  2. the user  3. the link  4. its versions  5. the two texts compared (the page is sent again)
    with django_assert_num_queries(5):
        assert 'id="versions-page"' in owner_client.get(url).content.decode()
    # Nothing changed: 1.-4. only, no text read.
    signature = live.snapshots_signature(link.snapshots.order_by("-created", "-id"))
    with django_assert_num_queries(4):
        assert 'id="versions-page"' not in owner_client.get(f"{url}?sig={signature}").content.decode()
