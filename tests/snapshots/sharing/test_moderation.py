import ipaddress

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from accounts import services as account_services
from snapshots.audit import audit_record
from snapshots.models import AuditEntry, Link, Report, Share
from snapshots.sharing import moderation
from tests.conftest import PASSWORD
from tests.factories import make_link, make_report, make_share

pytestmark = pytest.mark.django_db


def report_link(client: Client, share: Share, link: Link, ip: str = "203.0.113.5"):
    return client.post(
        reverse("snapshots:share_report", args=[share.token]) + f"?link={link.pk}",
        {"reason": "spam", "message": "广告", "link": link.pk},
        REMOTE_ADDR=ip,
    )


def resolve(staff_client: Client, report: Report, action: str, why: str = "policy"):
    return staff_client.post(
        reverse("snapshots:moderation_resolve", args=[report.pk]),
        {f"r{report.pk}-action": action, f"r{report.pk}-reason": why},
    )


def test_visitor_reports_a_link_and_staff_hides_it(client, staff, staff_client, share, report_links):
    response = report_link(client, share, report_links[0])
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.link, report.reason, report.reporter_ip) == (report_links[0], "spam", "203.0.113.5")
    queue = staff_client.get(reverse("snapshots:moderation_queue"))
    body = queue.content.decode()
    assert "2025年统计公报" in body and "owner" in body and "广告" in body
    assert queue.context["rows"][0]["preview"]
    assert resolve(staff_client, report, "hide_link", "垃圾广告").status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.ACTIONED and report.resolved_by == staff
    assert Link.objects.get(pk=report_links[0].pk).hidden_by_staff is True
    assert "2025年统计公报" not in client.get(reverse("snapshots:share_page", args=[share.token])).content.decode()
    actions = set(AuditEntry.objects.values_list("action", "reason"))
    assert ("link.hide", "垃圾广告") in actions and ("report.hide_link", "垃圾广告") in actions
    resolve(staff_client, report, "restore", "mistake")
    assert Link.objects.get(pk=report_links[0].pk).hidden_by_staff is False
    assert AuditEntry.objects.filter(action="link.unhide", reason="mistake", actor=staff).exists()


def test_disable_share_and_suspend_owner(client, owner, staff_client, share, report_links):
    client.post(reverse("snapshots:share_report", args=[share.token]), {"reason": "abuse"}, REMOTE_ADDR="198.51.100.1")
    report = Report.objects.get()
    assert report.link is None
    resolve(staff_client, report, "disable_share")
    share.refresh_from_db()
    assert share.moderation == Share.Moderation.DISABLED
    assert client.get(reverse("snapshots:share_page", args=[share.token])).status_code == 404
    second = make_report(share, reason="abuse")
    resolve(staff_client, second, "suspend_user", "repeat abuse")
    owner.refresh_from_db()
    assert owner.is_suspended and not owner.is_active and owner.suspension_reason == "repeat abuse"
    assert not Client().login(username="owner", password=PASSWORD)
    assert Link.objects.filter(owner=owner).count() == 2  # data kept
    resolve(staff_client, second, "restore", "appeal granted")
    owner.refresh_from_db()
    share.refresh_from_db()
    assert owner.is_active and share.moderation == Share.Moderation.OK
    assert client.get(reverse("snapshots:share_page", args=[share.token])).status_code == 200


def test_dismiss_needs_a_reason_and_nonstaff_cannot_act(client, other_client, staff_client, share, report_links):
    report_link(client, share, report_links[1])
    report = Report.objects.get()
    assert other_client.post(reverse("snapshots:moderation_resolve", args=[report.pk])).status_code == 302
    assert other_client.get(reverse("snapshots:moderation_queue")).status_code == 302
    resolve(staff_client, report, "dismiss", why="")
    assert Report.objects.get().status == Report.Status.OPEN
    resolve(staff_client, report, "dismiss", why="not spam")
    assert Report.objects.get().status == Report.Status.DISMISSED
    assert Link.objects.get(pk=report_links[1].pk).hidden_by_staff is False


@override_settings(REPORT_RATE_PER_HOUR=3)
def test_reports_are_rate_limited_per_address(client, share, report_links):
    statuses = [report_link(client, share, report_links[0]).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert report_link(client, share, report_links[0], ip="203.0.113.99").status_code == 302
    assert Report.objects.count() == 4


@override_settings(REPORT_RATE_PER_HOUR=2, TRUSTED_PROXIES=[ipaddress.ip_network("172.18.0.0/16")])
def test_reports_count_the_visitor_behind_a_trusted_proxy(client, share, report_links):
    def report(visitor: str) -> int:
        return client.post(
            reverse("snapshots:share_report", args=[share.token]),
            {"reason": "spam"},
            REMOTE_ADDR="172.18.0.2",
            HTTP_X_FORWARDED_FOR=visitor,
        ).status_code

    assert [report("203.0.113.1") for _ in range(3)] == [302, 302, 429]
    assert report("198.51.100.2") == 302
    reporters = sorted(Report.objects.values_list("reporter_ip", flat=True))
    assert reporters == ["198.51.100.2", "203.0.113.1", "203.0.113.1"]


@override_settings(REPORT_TARGET_RATE_PER_HOUR=3)
def test_reports_about_one_collection_are_limited_across_addresses(client, other, share, report_links):
    statuses = [report_link(client, share, report_links[n % 2], ip=f"203.0.113.{n}").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    refused = report_link(client, share, report_links[0], ip="198.51.100.1")
    assert "This collection has had many reports in the last hour." in refused.content.decode()
    assert Report.objects.count() == 3
    # Another owner's collection is not affected.
    make_link(other, tags=("报告",))
    other_share = make_share(other, title="别的合集")
    assert client.post(
        reverse("snapshots:share_report", args=[other_share.token]), {"reason": "spam"}, REMOTE_ADDR="198.51.100.1"
    ).status_code == 302


def test_reports_without_a_known_address_share_one_limit(share, report_links, settings):
    settings.REPORT_RATE_PER_HOUR = 2
    for _ in range(2):
        moderation.report_create(share=share, link=None, reason="spam", ip=None)
    with pytest.raises(moderation.ReportRateExceeded):
        moderation.report_create(share=share, link=None, reason="spam", ip=None)


def test_report_form_needs_csrf(share, report_links):
    strict = Client(enforce_csrf_checks=True)
    url = reverse("snapshots:share_report", args=[share.token])
    assert strict.post(url, {"reason": "spam"}).status_code == 403
    assert not Report.objects.exists()


def test_queue_has_constant_queries(staff_client, share, report_links, django_assert_num_queries):
    for i in range(12):
        make_report(share, report_links[i % 2], message=f"#{i}")
    # Expected queries (both engines):
    #  1. the session
    #  2. the signed-in staff user
    #  3. the number of open reports (the paginator's count)
    #  4. the page of open reports, oldest first, with share, share owner, link and resolver joined
    #  5. the newest succeeded snapshot of each reported link, for the preview (one windowed query)
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("snapshots:moderation_queue"))
    assert len(response.context["rows"]) == 12


def test_audit_log_is_read_only_in_admin(staff_client, staff, share):
    entry = audit_record(actor=staff, action="share.disable", target=share, reason="x")
    changelist = staff_client.get(reverse("admin:snapshots_auditentry_changelist"))
    assert changelist.status_code == 200 and "share.disable" in changelist.content.decode()
    assert staff_client.get(reverse("admin:snapshots_auditentry_add")).status_code == 403
    change = staff_client.post(reverse("admin:snapshots_auditentry_change", args=[entry.pk]), {"reason": "edited"})
    assert change.status_code == 403
    delete = staff_client.post(reverse("admin:snapshots_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    assert delete.status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "x"


def test_suspended_user_cannot_log_in_through_the_form(owner, staff):
    account_services.user_suspend(user=owner, actor=staff, reason="spam")
    response = Client().post(reverse("accounts:login"), {"username": "owner", "password": PASSWORD})
    assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated
    assert get_user_model().objects.filter(pk=owner.pk).exists()
