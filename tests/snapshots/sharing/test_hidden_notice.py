"""Owners are told when staff hid one of their links, and why, until staff show it again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from snapshots.models import Report
from tests.factories import make_report

pytestmark = pytest.mark.django_db

NOTICE = "Staff hid this link from your shared collections."
MARKER = "hidden by staff"


def resolve(staff_client, report: Report, action: str, why: str):
    return staff_client.post(
        reverse("snapshots:moderation_resolve", args=[report.pk]),
        {f"r{report.pk}-action": action, f"r{report.pk}-reason": why},
    )


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_owner_sees_why_staff_hid_a_link_until_it_is_restored(
    owner_client, other_client, client, staff_client, share, report_links
):
    hidden, kept = report_links
    page = reverse("snapshots:link_detail", args=[hidden.pk])
    listing = reverse("snapshots:link_list")
    owner_client.get(listing)  # the list's cached facts are filled on the first visit
    before = queries(owner_client, listing)
    report = make_report(share, hidden)
    resolve(staff_client, report, "hide_link", "含有误导性的广告内容")

    body = owner_client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert NOTICE in body and "含有误导性的广告内容" in body
    chinese = owner_client.get(page, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "管理员已在你的分享合集中隐藏此链接。" in chinese and "给出的原因：" in chinese
    assert NOTICE not in owner_client.get(reverse("snapshots:link_detail", args=[kept.pk])).content.decode()

    rows = owner_client.get(listing, HTTP_ACCEPT_LANGUAGE="en")
    marked = [row.pk for row in rows.context["rows"] if row.hidden]
    assert marked == [str(hidden.pk)] and rows.content.decode().count(MARKER) == 1
    assert queries(owner_client, listing) == before  # the marker is read with the row

    # Nobody else reads it: another member cannot open the link, visitors no longer see it.
    assert other_client.get(page).status_code == 404
    public = client.get(reverse("snapshots:share_page", args=[share.token])).content.decode()
    assert "含有误导性的广告内容" not in public and "2025年统计公报" not in public and MARKER not in public

    resolve(staff_client, report, "restore", "误判")
    assert NOTICE not in owner_client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert MARKER not in owner_client.get(listing, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2025年统计公报" in client.get(reverse("snapshots:share_page", args=[share.token])).content.decode()


def test_the_newest_reason_is_shown(owner_client, staff_client, share, report_links):
    link = report_links[0]
    first = make_report(share, link)
    resolve(staff_client, first, "hide_link", "第一次")
    resolve(staff_client, first, "restore", "误判")
    resolve(staff_client, make_report(share, link), "hide_link", "第二次：仍是广告")
    response = owner_client.get(reverse("snapshots:link_detail", args=[link.pk]))
    body = response.content.decode()
    assert "第二次：仍是广告" in body and "第一次" not in body
    assert response.context["hidden_notice"].reason == "第二次：仍是广告"
