"""List rows: the newest version's status, the newest finished screenshot, tags, ready-made URLs."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.translation import override

from snapshots.archive import reasons
from snapshots.models import ImportJob, Link, Report, Snapshot
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
    assert made[failing.pk].status.label == "抓取失败"
    assert made[failing.pk].status.reason == "不允许访问该地址"
    shown = made[failing.pk].status
    assert shown.thumbnail_url == reverse("snapshots:snapshot_artifact", args=[ok_shot.pk, "thumbnail"])
    assert shown.snapshot_url == reverse("snapshots:snapshot_detail", args=[ok_shot.pk])
    assert made[failing.pk].status.unfinished is False
    assert made[running.pk].status.unfinished is True
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


def _row_html(body: str, link: Link) -> str:
    row = body[body.index(f'id="link-{link.pk}"') :]
    return row[: row.index("</li>")]


def test_list_page_shows_the_failed_badge_over_the_last_good_thumbnail(owner_client, links):
    """Cards show previews; the dense list opens the same good version as its saved copy."""
    failing = links[1]
    ok_shot = Snapshot.objects.get(artifacts__thumbnail="ok.webp")
    cards = owner_client.get(reverse("snapshots:link_list"), {"view": "grid"}, HTTP_ACCEPT_LANGUAGE="en")
    row = _row_html(cards.content.decode(), failing)
    assert reverse("snapshots:snapshot_artifact", args=[ok_shot.pk, "thumbnail"]) in row
    assert 'class="badge status-failed" title="address not allowed"' in row
    assert "hx-get" not in row
    dense = owner_client.get(reverse("snapshots:link_list"), {"view": "list"}, HTTP_ACCEPT_LANGUAGE="en")
    row = _row_html(dense.content.decode(), failing)
    assert "thumbnail" not in row
    copy = reverse("snapshots:snapshot_detail", args=[ok_shot.pk])
    assert f'<a href="{copy}" aria-describedby="title-{failing.pk}">Saved copy</a>' in row
    assert 'class="badge status-failed" title="address not allowed"' in row


def test_rows_show_the_site_icon_or_a_placeholder_and_the_owners_actions(owner_client, owner):
    with_icon, without = make_link(owner, "https://example.com/icon"), make_link(owner, "https://example.com/none")
    shown = make_snapshot(with_icon, artifacts={"favicon": "icon.png", "thumbnail": "t.webp"})
    make_snapshot(without, status=Snapshot.Status.FAILED, error_code="timeout")
    body = owner_client.get(reverse("snapshots:link_list")).content.decode()
    row = _row_html(body, with_icon)
    assert f'<img class="favicon" src="{reverse("snapshots:snapshot_artifact", args=[shown.pk, "favicon"])}"' in row
    assert f'href="{reverse("snapshots:link_edit", args=[with_icon.pk])}"' in row
    assert f'href="{reverse("snapshots:link_delete", args=[with_icon.pk])}"' in row
    capture = f'<form method="post" action="{reverse("snapshots:link_capture", args=[with_icon.pk])}" class="inline">'
    assert capture in row and 'name="csrfmiddlewaretoken"' in row
    row = _row_html(body, without)
    assert '<span class="favicon none" aria-hidden="true"></span>' in row and '<img class="favicon"' not in row
    assert reverse("snapshots:snapshot_detail", args=[without.snapshots.get().pk]) not in row  # no saved copy


def test_the_chosen_list_view_is_remembered_in_a_cookie(owner_client, links):
    first = owner_client.get(reverse("snapshots:link_list"))
    assert first.context["view"] == "list" and "list_view" not in first.cookies
    assert '<ul class="links selectable dense">' in first.content.decode()
    chosen = owner_client.get(reverse("snapshots:link_list"), {"view": "grid"})
    assert chosen.cookies["list_view"].value == "grid" and chosen.cookies["list_view"]["samesite"] == "Lax"
    later = owner_client.get(reverse("snapshots:link_list"))
    assert later.context["view"] == "grid" and '<ul class="links selectable grid">' in later.content.decode()
    owner_client.cookies["list_view"] = "<script>"
    assert owner_client.get(reverse("snapshots:link_list")).context["view"] == "list"  # unknown: the default


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


def _badges(page: str) -> list[str]:
    return re.findall(r'<span class="badge status-[a-z-]+"[^>]*>([^<]*)</span>', page)


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", {"Saved", "Capture failed", "Capturing", "Waiting", "Queued", "Not captured yet"}),
        ("zh-hans", {"已保存", "抓取失败", "抓取中", "等待中", "排队中", "尚未抓取"}),
    ],
)
def test_statuses_read_as_words_not_stored_values(owner, owner_client, links, language, labels, settings):
    waiting, queued = make_link(owner, "https://example.com/w"), make_link(owner, "https://example.com/q")
    make_snapshot(waiting, status=Snapshot.Status.WAITING)
    make_snapshot(queued, status=Snapshot.Status.QUEUED)
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = owner_client.get(reverse("snapshots:link_list")).content.decode()
    assert set(_badges(page)) == labels
    raw = ("succeeded", "no snapshot", "failed", "running", "waiting", "queued", "成功", "无快照")
    assert not [word for word in raw if word in _badges(page)]
    # The link page's versions table and an unfinished snapshot's page word them the same way.
    kept, failing, running, _never = links
    link_page = owner_client.get(reverse("snapshots:link_detail", args=[failing.pk])).content.decode()
    assert set(_badges(link_page)) <= labels and {"Saved", "已保存"} & set(_badges(link_page))
    snap = running.snapshots.get()
    snapshot_page = owner_client.get(reverse("snapshots:snapshot_detail", args=[snap.pk])).content.decode()
    assert _badges(snapshot_page) == ["Capturing" if language == "en" else "抓取中"]


def test_import_and_report_statuses_read_as_words():
    with override("en"):
        assert reasons.status_label(ImportJob(status=ImportJob.Status.SUCCEEDED)) == "Finished"
        assert reasons.status_label(Report(status=Report.Status.OPEN)) == "To review"
    with override("zh-hans"):
        assert reasons.status_label(ImportJob(status=ImportJob.Status.RUNNING)) == "导入中"
        assert reasons.status_label(Report(status=Report.Status.ACTIONED)) == "已处理"
        assert reasons.status_label(None) == "尚未抓取"
