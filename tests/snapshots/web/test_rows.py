"""List rows: the newest version's status, the newest finished screenshot, tags, ready-made URLs."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import override

from snapshots.models import Link, Snapshot
from snapshots.web import rows
from tests.factories import make_link, make_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def links(owner):
    made = [
        make_link(owner, f"https://example.com/{i}", tags=tags)
        for i, tags in enumerate((["政府", "Budget"], [], ["报告"], []))
    ]
    kept, failing, running, _never = made
    make_snapshot(kept, minutes_ago=30, artifacts={"thumbnail": "old.webp"})
    make_snapshot(kept, minutes_ago=20, artifacts={"thumbnail": "new.webp"})
    make_snapshot(failing, minutes_ago=50, artifacts={"thumbnail": "ok.webp"})
    failed = Snapshot.Status.FAILED
    make_snapshot(failing, status=failed, minutes_ago=40, error="connection refused", error_code="connection_refused")
    make_snapshot(failing, status=failed, minutes_ago=10, error="address not allowed", error_code="address_not_allowed")
    make_snapshot(running, status=Snapshot.Status.RUNNING, minutes_ago=1)
    return made


def test_each_link_gets_its_newest_version_and_newest_screenshot(links):
    kept, failing, running, never = links
    snaps = {s.artifacts.get("thumbnail") or s.error: s for s in Snapshot.objects.all()}
    found = rows.newest_snapshots([link.pk for link in links])
    assert found[kept.pk] == (snaps["new.webp"], snaps["new.webp"])
    assert found[failing.pk] == (snaps["address not allowed"], snaps["ok.webp"])
    assert found[running.pk][0].status == Snapshot.Status.RUNNING and found[running.pk][1] is None
    assert found[never.pk] == (None, None)


def test_rows_carry_badge_thumbnail_polling_and_tags(links):
    kept, failing, running, never = links
    with override("zh-hans"):
        made = {row.link.pk: row for row in rows.link_rows(Link.objects.filter(pk__in=[lk.pk for lk in links]))}
    ok_shot = Snapshot.objects.get(artifacts__thumbnail="ok.webp")
    assert made[failing.pk].status.status == "failed"
    assert made[failing.pk].status.label == "失败"
    assert made[failing.pk].status.reason == "不允许访问该地址"
    shown = made[failing.pk].status
    assert shown.thumbnail_url == reverse("snapshots:snapshot_artifact", args=[ok_shot.pk, "thumbnail"])
    assert shown.snapshot_url == reverse("snapshots:snapshot_detail", args=[ok_shot.pk])
    assert made[failing.pk].status.poll_url == ""
    assert made[running.pk].status.poll_url == reverse("snapshots:link_status", args=[running.pk])
    assert made[running.pk].status.thumbnail_url == ""
    assert made[never.pk].status.status == "none"
    assert [t.name for t in made[kept.pk].tags] == sorted(["政府", "Budget"])
    assert made[kept.pk].detail_url == reverse("snapshots:link_detail", args=[kept.pk])
    assert made[never.pk].tags == []


def test_url_former_matches_reverse():
    detail = rows.url_former("snapshots:link_detail")
    artifact = rows.url_former("snapshots:snapshot_artifact", "thumbnail")
    for pk in (1, 42, 7919191919, 10**12):
        assert detail(pk) == reverse("snapshots:link_detail", args=[pk])
        assert artifact(pk) == reverse("snapshots:snapshot_artifact", args=[pk, "thumbnail"])


def test_list_page_shows_the_failed_badge_over_the_last_good_thumbnail(owner_client, links):
    failing = links[1]
    ok_shot = Snapshot.objects.get(artifacts__thumbnail="ok.webp")
    body = owner_client.get(reverse("snapshots:link_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = body[body.index(f'id="link-{failing.pk}"') :]
    row = row[: row.index("</li>")]
    assert reverse("snapshots:snapshot_artifact", args=[ok_shot.pk, "thumbnail"]) in row
    assert 'class="badge status-failed" title="address not allowed"' in row
    assert "hx-get" not in row


def test_status_poll_returns_the_same_block(owner_client, links):
    running = links[2]
    response = owner_client.get(reverse("snapshots:link_status", args=[running.pk]))
    body = response.content.decode()
    assert f'id="status-{running.pk}"' in body and "hx-get" in body and "status-running" in body
    Snapshot.objects.filter(link=running).update(status=Snapshot.Status.SUCCEEDED, artifacts={"thumbnail": "x.webp"})
    body = owner_client.get(reverse("snapshots:link_status", args=[running.pk])).content.decode()
    assert "hx-get" not in body and "status-succeeded" in body and "<img" in body


def test_row_text_is_escaped_exactly_once(owner_client, owner):
    make_link(
        owner, "https://example.com/x?a=1&b=2", title='<b>"预算"&</b>', tags=["<i>&"],
        description="<script>alert(1)</script>",
    )
    for page in (reverse("snapshots:link_list"), reverse("snapshots:search") + "?q=预算"):
        body = owner_client.get(page).content.decode()
        assert "&lt;b&gt;&quot;预算&quot;&amp;&lt;/b&gt;" in body
        assert '<b>"预算"' not in body and "&amp;lt;" not in body and "&amp;amp;" not in body
        assert "&lt;i&gt;&amp;</a>" in body and "%3Ci%3E%26" in body
        assert 'href="https://example.com/x?a=1&amp;b=2"' in body
    listing = owner_client.get(reverse("snapshots:link_list")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing and "<script>alert" not in listing


def test_every_badge_a_page_prints_has_its_label(owner_client, owner):
    """One row template serves the list and search pages; each page labels the badges it shows."""
    make_link(owner, "https://example.com/budget", title="预算 budget report", unread=True)
    pages = {
        "list": owner_client.get(reverse("snapshots:link_list")),
        "list ?q=": owner_client.get(reverse("snapshots:link_list"), {"q": "budget"}),
        "search": owner_client.get(reverse("snapshots:search"), {"q": "budget"}),
    }
    bodies = {name: response.content.decode() for name, response in pages.items()}
    assert all("budget report" in body for body in bodies.values())
    for name, body in bodies.items():
        assert '"></span>' not in body.replace('aria-hidden="true"></span>', ""), name
    assert 'class="badge unread">' in bodies["list"]
    assert 'class="badge unread"' not in bodies["search"]
