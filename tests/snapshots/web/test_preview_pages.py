"""The pages a link opens on: a preview of its saved copy, one button per way of reading it,
downloads named after the page and dated in the viewer's time zone, and the setting that makes
list titles open the saved copy."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from django.urls import reverse

from linkhome.viewerzone import viewer_zone
from snapshots.models import Snapshot
from tests.factories import make_link, make_snapshot, make_stored_snapshot

pytestmark = pytest.mark.django_db

# Half past midnight in Shanghai, still the evening before in UTC and in Los Angeles.
NEAR_MIDNIGHT = datetime(2026, 11, 29, 16, 30, tzinfo=UTC)
EVERY_KIND = {
    kind: f"owner/x/{kind}.bin" for kind in ("screenshot", "thumbnail", "html", "pdf", "text", "original", "reader")
}


def _stored(owner, title: str) -> Snapshot:
    snapshot = make_stored_snapshot(make_link(owner, title=title), title=title)
    Snapshot.objects.filter(pk=snapshot.pk).update(finished=NEAR_MIDNIGHT)
    return snapshot


def _disposition(client, snapshot: Snapshot, kind: str, zone: str | None) -> str:
    if zone is not None:
        client.cookies["tz"] = zone
    url = reverse("snapshots:snapshot_artifact", args=[snapshot.pk, kind])
    response = client.get(url, {"download": "1"})
    assert response.status_code == 200
    return response["Content-Disposition"]


def test_a_chinese_title_is_named_with_rfc5987_and_dated_in_the_viewers_zone(owner_client, owner):
    snapshot = _stored(owner, "2025年统计公报")
    shanghai = _disposition(owner_client, snapshot, "pdf", "Asia/Shanghai")
    assert shanghai == "attachment; filename*=utf-8''" + quote("2025年统计公报 - 2026-11-30.pdf")
    utc = _disposition(owner_client, snapshot, "pdf", "UTC")
    assert utc == "attachment; filename*=utf-8''" + quote("2025年统计公报 - 2026-11-29.pdf")
    los_angeles = _disposition(owner_client, snapshot, "text", "America/Los_Angeles")
    assert los_angeles.endswith(quote("2025年统计公报 - 2026-11-29.txt"))


def test_an_unknown_zone_cookie_falls_back_to_the_site_zone(owner_client, owner, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    snapshot = _stored(owner, "公报")
    for forged in ("../../etc/passwd", "Mars/Olympus_Mons", "x" * 200):
        assert viewer_zone(forged) is None
        assert _disposition(owner_client, snapshot, "pdf", forged).endswith(quote("公报 - 2026-11-30.pdf"))


def test_unsafe_and_control_characters_leave_the_name_and_a_long_title_is_cut(owner_client, owner):
    snapshot = _stored(owner, 'a/b\\c:d*e?f"g<h>i|j\x07k\u202el\x7fm.. ')
    name = _disposition(owner_client, snapshot, "pdf", "UTC")
    assert name == 'attachment; filename="a b c d e f g h i j k l m - 2026-11-29.pdf"'
    long = _stored(owner, "统计" * 200)
    disposition = _disposition(owner_client, long, "html", "UTC")
    encoded = disposition.split("''", 1)[1]
    assert len(encoded.replace("%", "")) // 2 <= 255 - len(" - 2026-11-29.html")  # bytes of UTF-8
    assert encoded.endswith(quote("统 - 2026-11-29.html")) or encoded.endswith(quote("计 - 2026-11-29.html"))


def test_a_signed_download_on_the_artifact_host_keeps_the_viewers_zone(owner_client, owner, settings):
    settings.SNAPSHOT_HOST = "files.testserver"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "files.testserver"]
    snapshot = _stored(owner, "公报")
    owner_client.cookies["tz"] = "Asia/Shanghai"
    url = reverse("snapshots:snapshot_artifact", args=[snapshot.pk, "pdf"])
    signed = owner_client.get(url, {"download": "1"})["Location"]
    owner_client.cookies.pop("tz")  # the artifact host never sees the site's cookies
    response = owner_client.get(signed.split("files.testserver", 1)[1], HTTP_HOST="files.testserver")
    assert response["Content-Disposition"].endswith(quote("公报 - 2026-11-30.pdf"))


def test_page_times_follow_the_zone_cookie(owner_client, owner):
    snapshot = _stored(owner, "公报")
    Snapshot.objects.filter(pk=snapshot.pk).update(created=NEAR_MIDNIGHT)
    url = reverse("snapshots:link_detail", args=[snapshot.link_id])
    owner_client.cookies["tz"] = "Asia/Shanghai"
    assert "2026-11-30 00:30" in owner_client.get(url).content.decode()
    owner_client.cookies["tz"] = "UTC"
    assert "2026-11-29 16:30" in owner_client.get(url).content.decode()


def _hrefs(body: str, label: str) -> int:
    return body.count(f">{label}</a>")


def test_the_link_page_opens_on_a_preview_with_one_button_per_artifact(owner_client, owner):
    link = make_link(owner, title="公报")
    snapshot = make_snapshot(link, artifacts=EVERY_KIND)
    response = owner_client.get(reverse("snapshots:link_detail", args=[link.pk]), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    artifact = lambda kind: reverse("snapshots:snapshot_artifact", args=[snapshot.pk, kind])  # noqa: E731
    screenshot = artifact("screenshot")
    assert f'<img src="{screenshot}" alt="Screenshot of the saved page"' in body
    assert f'<a href="{screenshot}" target="_blank" rel="noopener noreferrer">Show the full screenshot' in body
    expected = {
        "Reader view": reverse("snapshots:snapshot_reader", args=[snapshot.pk]),
        "Offline copy": artifact("html"),
        "PDF": artifact("pdf"),
        "Text": artifact("text"),
        "Original file": artifact("original"),
        "Version details": reverse("snapshots:snapshot_detail", args=[snapshot.pk]),
    }
    row = body.split('<nav class="open-row"', 1)[1].split("</nav>", 1)[0]
    for label, href in expected.items():
        assert f'href="{href}"' in row and f">{label}</a>" in row, label
    downloads = body.split('<p class="downloads">', 1)[1].split("</p>", 1)[0]
    for kind in ("html", "pdf", "screenshot", "text", "original"):
        assert f'href="{artifact(kind)}?download=1" download' in downloads, kind
    chinese = owner_client.get(reverse("snapshots:link_detail", args=[link.pk]), HTTP_ACCEPT_LANGUAGE="zh-CN")
    text = chinese.content.decode()
    assert ">阅读模式</a>" in text and ">离线副本</a>" in text and "查看完整截图" in text


def test_only_what_the_snapshot_has_is_offered(owner_client, owner):
    link = make_link(owner)
    snapshot = make_snapshot(link, artifacts={"thumbnail": "t.webp", "html": "p.html"})
    page = owner_client.get(reverse("snapshots:link_detail", args=[link.pk]), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    thumbnail = reverse("snapshots:snapshot_artifact", args=[snapshot.pk, "thumbnail"])
    assert f'<img src="{thumbnail}"' in body and "Show the full screenshot" not in body
    assert ">Offline copy</a>" in body
    assert not any(_hrefs(body, label) for label in ("PDF", "Text", "Original file", "Reader view"))


def test_no_preview_before_a_capture_succeeds(owner_client, owner):
    link = make_link(owner)
    make_snapshot(link, status=Snapshot.Status.FAILED, artifacts={"thumbnail": "t.webp"})
    response = owner_client.get(reverse("snapshots:link_detail", args=[link.pk]))
    assert response.context["preview"] is None and 'class="preview"' not in response.content.decode()


def test_the_snapshot_and_versions_pages_open_on_the_same_preview(owner_client, owner):
    link = make_link(owner, title="公报")
    older = make_snapshot(link, artifacts=EVERY_KIND, minutes_ago=20)
    newest = make_snapshot(link, artifacts=EVERY_KIND, minutes_ago=1)
    page = owner_client.get(reverse("snapshots:snapshot_detail", args=[older.pk]), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.context["preview"].snapshot == older
    assert f'href="{reverse("snapshots:snapshot_artifact", args=[older.pk, "pdf"])}" target="_blank"' in body
    assert 'class="tabs"' not in body and ">Version details</a>" not in body  # it is this page
    versions = owner_client.get(reverse("snapshots:version_compare", args=[link.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert versions.context["preview"].snapshot == newest
    assert f'href="{reverse("snapshots:snapshot_detail", args=[newest.pk])}">Version details</a>' in (
        versions.content.decode()
    )


def _title_href(body: str, link_id: int) -> str:
    return body.split(f'id="title-{link_id}" href="', 1)[1].split('"', 1)[0]


def test_the_setting_makes_list_titles_open_the_saved_copy(owner_client, owner):
    saved = make_link(owner, title="有副本")
    snapshot = make_snapshot(saved, artifacts={"html": "p.html"})
    waiting = make_link(owner, title="还没有副本")
    list_url = reverse("snapshots:link_list")
    body = owner_client.get(list_url).content.decode()
    assert _title_href(body, saved.pk) == reverse("snapshots:link_detail", args=[saved.pk])

    settings_page = owner_client.get(reverse("accounts:settings"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'name="list_titles_open_copy"' in settings_page and "列表中的标题打开存档副本" in settings_page
    response = owner_client.post(reverse("accounts:preferences"), {"list_titles_open_copy": "on"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.list_titles_open_copy is True

    body = owner_client.get(list_url).content.decode()
    assert _title_href(body, saved.pk) == reverse("snapshots:snapshot_detail", args=[snapshot.pk])
    assert _title_href(body, waiting.pk) == reverse("snapshots:link_detail", args=[waiting.pk])  # nothing saved yet
    found = owner_client.get(reverse("snapshots:search"), {"q": "副本"}).content.decode()
    assert _title_href(found, saved.pk) == reverse("snapshots:snapshot_detail", args=[snapshot.pk])
    owner_client.post(reverse("accounts:preferences"), {})
    owner.refresh_from_db()
    assert owner.list_titles_open_copy is False


def test_each_saved_version_opens_from_its_time_in_the_viewers_zone(owner_client, owner):
    link = make_link(owner, title="公报")
    saved = make_stored_snapshot(link)
    Snapshot.objects.filter(pk=saved.pk).update(created=NEAR_MIDNIGHT)
    owner_client.cookies["tz"] = "Asia/Shanghai"
    page = owner_client.get(reverse("snapshots:link_detail", args=[link.pk])).content.decode()
    address = reverse("snapshots:snapshot_detail", args=[saved.pk])
    opened = f'href="{address}" aria-label="Open the version of 2026-11-30 00:30:00"'
    assert opened in page
    assert ">Open<" not in page
    # No version has an error or a note: no column of empty details.
    assert "<th>Details</th>" not in page
    make_snapshot(link, status=Snapshot.Status.FAILED, error="refused", error_code="connection_refused")
    page = owner_client.get(reverse("snapshots:link_detail", args=[link.pk])).content.decode()
    assert "<th>Details</th>" in page
