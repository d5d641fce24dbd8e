"""The audit log page: staff only, newest first, filtered, worded in the reader's language, with
times in the viewer's zone and the same queries however many entries a page shows."""

import html
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import services as account_services
from snapshots.audit import audit_record
from snapshots.links import services
from snapshots.models import AuditEntry, Report
from snapshots.sharing import moderation
from tests.factories import make_link, make_report, make_share

pytestmark = pytest.mark.django_db

AUDIT = reverse("snapshots:moderation_audit")


def at(entry: AuditEntry, when: datetime) -> AuditEntry:
    AuditEntry.objects.filter(pk=entry.pk).update(created=when)
    return entry


def listed(response) -> list[tuple[str, str, str]]:
    return [(row.entry.action, row.target, row.target_user) for row in response.context["rows"]]


@pytest.fixture
def history(owner, other, staff, share, report_links):
    """Staff acted on the owner's link, collection and account, and on another member's link."""
    second = get_user_model().objects.create_user("second", password="x" * 12, is_staff=True)
    report = make_report(share, report_links[0])
    moderation.report_resolve(report=report, actor=staff, action="hide_link", reason="广告")
    moderation.share_moderate(share=share, moderation="disabled", actor=second, reason="整个合集")
    account_services.user_suspend(user=owner, actor=staff, reason="屡次违规")
    elsewhere = make_link(other, "https://example.org/a", title="别人的链接")
    moderation.staff_view_record(actor=second, link=elsewhere, what="screenshot")
    return {"report": report, "second": second, "elsewhere": elsewhere}


def test_only_staff_read_it(client, owner_client, staff_client):
    assert client.get(AUDIT).status_code == 302
    assert owner_client.get(AUDIT).status_code == 302
    assert staff_client.get(AUDIT).status_code == 200
    queue = staff_client.get(reverse("snapshots:moderation_queue")).content.decode()
    assert f'href="{AUDIT}"' in queue  # the moderation pages link to each other


def test_newest_first_and_worded_in_each_language(staff_client, history, report_links):
    english = staff_client.get(AUDIT, HTTP_ACCEPT_LANGUAGE="en")
    assert listed(english) == [
        ("snapshot.view", "别人的链接", "other"),
        ("user.suspend", "owner", "owner"),
        ("share.disable", "政府报告合集", "owner"),
        ("report.hide_link", f"report #{history['report'].pk} on “政府报告合集”", "owner"),
        ("link.hide", "2025年统计公报", "owner"),
    ]
    body = html.unescape(english.content.decode())
    for words in ("Looked at a user's saved copy", "Suspended an account", "Unpublished a collection",
                  "Hid the reported link", "Hid a link from public views", "屡次违规"):
        assert words in body
    chinese = staff_client.get(AUDIT, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    for words in ("查看了用户的存档副本", "停用了账号", "下架了合集", "隐藏了被举报的链接", "从公开页面隐藏了链接",
                  f"关于“政府报告合集”的举报 #{history['report'].pk}"):
        assert words in chinese
    assert "Suspended an account" not in chinese


def test_filters(staff_client, history, owner, other, report_links):
    def actions(**query) -> list[str]:
        return [row.entry.action for row in staff_client.get(AUDIT, query).context["rows"]]

    assert actions(action="link.hide") == ["link.hide"]
    assert actions(actor="second") == ["snapshot.view", "share.disable"]
    assert actions(actor="nobody") == []
    assert actions(target_user="owner") == ["user.suspend", "share.disable", "report.hide_link", "link.hide"]
    assert actions(target_user="other") == ["snapshot.view"]
    assert actions(target_user="owner", actor="second") == ["share.disable"]
    assert actions(target_user="nobody") == []
    assert actions(action="not-an-action") == actions()  # an unknown choice is left out
    # A deleted link's entries still name its owner.
    gone = make_link(owner, "https://example.cn/gone", title="将被删除")
    services.link_delete(link=gone, actor=history["second"])
    assert actions(target_user="owner")[0] == "link.delete"
    assert listed(staff_client.get(AUDIT, {"action": "link.delete"})) == [
        ("link.delete", "https://example.cn/gone", "owner")
    ]


def test_days_are_the_viewers_and_times_are_shown_in_their_zone(staff_client, staff, share):
    late = audit_record(actor=staff, action="share.disable", target=share, reason="晚")
    at(late, datetime(2026, 1, 1, 17, 30, tzinfo=UTC))
    at(audit_record(actor=staff, action="share.enable", target=share, reason="早"), datetime(2026, 1, 1, 3, tzinfo=UTC))
    staff_client.cookies["tz"] = "Asia/Shanghai"  # 17:30 UTC is 01:30 the next day there

    def reasons(**query) -> list[str]:
        return [row.entry.reason for row in staff_client.get(AUDIT, query).context["rows"]]

    assert reasons(since="2026-01-02") == ["晚"]
    assert reasons(until="2026-01-01") == ["早"]
    assert reasons(since="2026-01-01", until="2026-01-02") == ["晚", "早"]
    body = staff_client.get(AUDIT).content.decode()
    assert "2026-01-02 01:30" in body and "2026-01-01 11:00" in body and "Asia/Shanghai" in body
    staff_client.cookies["tz"] = "UTC"
    assert reasons(since="2026-01-02") == []
    assert "2026-01-01 17:30" in staff_client.get(AUDIT).content.decode()


def test_pages_keep_the_filters(staff_client, staff, share):
    for n in range(55):
        audit_record(actor=staff, action="share.disable", target=share, reason=f"#{n}")
    audit_record(actor=staff, action="share.enable", target=share, reason="other kind")
    first = staff_client.get(AUDIT, {"action": "share.disable"})
    assert len(first.context["rows"]) == 50 and first.context["rows"][0].entry.reason == "#54"
    assert "?action=share.disable&amp;page=2" in first.content.decode()
    second = staff_client.get(AUDIT, {"action": "share.disable", "page": 2})
    assert [row.entry.reason for row in second.context["rows"]] == [f"#{n}" for n in range(4, -1, -1)]


def entries_of_every_kind(staff, owner, n: int) -> None:
    for i in range(n):
        link = make_link(owner, f"https://example.cn/{n}/{i}", tags=(f"t{n}{i}",), title=f"链接{i}")
        share = make_share(owner, tag=f"t{n}{i}", title=f"合集{i}")
        moderation.report_resolve(report=make_report(share, link), actor=staff, action="hide_link", reason="x")
        moderation.share_moderate(share=share, moderation="disabled", actor=staff, reason="y")
        account_services.user_suspend(user=owner, actor=staff, reason="z")
        account_services.user_restore(user=owner, actor=staff, reason="z")


def test_constant_queries(staff_client, staff, owner, django_assert_num_queries):
    # Expected queries (both engines):
    #  1. the session
    #  2. the signed-in staff user
    #  3. the number of entries (the paginator's count)
    #  4. the page of entries, newest first, with their actors
    #  5. the page's links, with their owners
    #  6. the page's collections, with their owners
    #  7. the page's reports, with their collections and owners
    #  8. the names of the page's accounts
    #  9. the staff names the staff-member field suggests
    entries_of_every_kind(staff, owner, 2)
    with django_assert_num_queries(9):
        few = staff_client.get(AUDIT)
    entries_of_every_kind(staff, owner, 6)
    with django_assert_num_queries(9):
        many = staff_client.get(AUDIT)
    assert (len(few.context["rows"]), len(many.context["rows"])) == (10, 40)
    assert Report.objects.count() == 8
    # A filter on an account costs one more query: finding the account.
    with django_assert_num_queries(10):
        staff_client.get(AUDIT, {"target_user": "owner"})
