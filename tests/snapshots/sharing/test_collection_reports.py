"""A report on a whole collection is offered the collection's actions, a report on a link in it
the link's; the labels are in the reader's language."""

import pytest
from django.urls import reverse

from snapshots.models import AuditEntry, Link, Report, Share
from tests.factories import make_report

pytestmark = pytest.mark.django_db


def offered(response, report: Report) -> list[str]:
    row = next(row for row in response.context["rows"] if row["report"] == report)
    return [value for value, _label in row["form"].fields["action"].choices]


def resolve(staff_client, report: Report, action: str, why: str = "政策"):
    return staff_client.post(
        reverse("snapshots:moderation_resolve", args=[report.pk]),
        {f"r{report.pk}-action": action, f"r{report.pk}-reason": why},
        follow=True,
    )


def test_collection_report_offers_collection_actions(staff_client, share, report_links):
    whole = make_report(share)
    one_link = make_report(share, report_links[0])
    queue = staff_client.get(reverse("snapshots:moderation_queue"), HTTP_ACCEPT_LANGUAGE="en")
    assert offered(queue, whole) == ["dismiss", "disable_share", "suspend_user"]
    assert offered(queue, one_link) == ["dismiss", "hide_link", "disable_share", "suspend_user"]
    body = queue.content.decode()
    whole_form = body[body.index(f'id="report-{whole.pk}"') : body.index(f'id="report-{one_link.pk}"')]
    assert 'value="disable_share"' in whole_form and "Unpublish the collection (hide the share)" in whole_form
    assert 'value="hide_link"' not in whole_form and "Report on the whole collection" in whole_form
    assert 'value="hide_link"' in body[body.index(f'id="report-{one_link.pk}"') :]


def test_action_labels_are_in_chinese(staff_client, share):
    make_report(share)
    body = staff_client.get(reverse("snapshots:moderation_queue"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "下架合集（隐藏分享）" in body and "驳回举报" in body and "停用所有者的账号" in body
    assert "Unpublish the collection" not in body and "Dismiss the report" not in body


def test_hiding_a_link_is_refused_on_a_collection_report(staff_client, share, report_links):
    report = make_report(share)
    response = resolve(staff_client, report, "hide_link")
    assert response.status_code == 200 and "Choose an action and say why." in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN
    assert not Link.objects.filter(hidden_by_staff=True).exists() and not AuditEntry.objects.exists()


def test_unpublishing_the_reported_collection(client, staff_client, share, report_links):
    report = make_report(share)
    resolve(staff_client, report, "disable_share", "整个合集都是广告")
    report.refresh_from_db()
    share.refresh_from_db()
    assert report.status == Report.Status.ACTIONED and share.moderation == Share.Moderation.DISABLED
    assert client.get(reverse("snapshots:share_page", args=[share.token])).status_code == 404
    assert set(AuditEntry.objects.values_list("action", "reason")) == {
        ("share.disable", "整个合集都是广告"),
        ("report.disable_share", "整个合集都是广告"),
    }
    # Closed, it offers only its undoing.
    resolve(staff_client, report, "dismiss")
    share.refresh_from_db()
    assert share.moderation == Share.Moderation.DISABLED and not AuditEntry.objects.filter(action="report.dismiss")
    resolve(staff_client, report, "restore", "申诉成立")
    share.refresh_from_db()
    assert share.moderation == Share.Moderation.OK
    assert client.get(reverse("snapshots:share_page", args=[share.token])).status_code == 200
