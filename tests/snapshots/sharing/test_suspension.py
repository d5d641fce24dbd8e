"""Suspension has one write path, for staff only, and every suspension and restore is audited."""

from __future__ import annotations

import pytest

from accounts import services as account_services
from accounts.models import SUSPENSION_REASON_MAX_LENGTH
from snapshots.links import services as link_services
from snapshots.models import AuditEntry, Report, Share
from snapshots.sharing import moderation, shares

pytestmark = pytest.mark.django_db


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def test_suspend_and_restore_are_audited_with_the_full_reason(owner, staff):
    token, _secret = account_services.token_create(user=owner, name="cli")
    reason = "spam " * 200
    account_services.user_suspend(user=owner, actor=staff, reason=reason)
    owner.refresh_from_db()
    token.refresh_from_db()
    assert not owner.is_active and owner.is_suspended and token.revoked is not None
    assert owner.suspension_reason == reason[:SUSPENSION_REASON_MAX_LENGTH]
    [entry] = _entries("user.suspend")
    assert (entry.actor, entry.target_type, entry.target_id, entry.reason) == (staff, "user", str(owner.pk), reason)

    account_services.user_restore(user=owner, actor=staff, reason="appeal upheld")
    owner.refresh_from_db()
    assert owner.is_active and not owner.is_suspended
    [entry] = _entries("user.restore")
    assert (entry.actor, entry.reason) == (staff, "appeal upheld")


def test_only_staff_suspend_and_a_refusal_changes_nothing(owner, other):
    with pytest.raises(PermissionError):
        account_services.user_suspend(user=owner, actor=other, reason="dislike")
    owner.refresh_from_db()
    assert owner.is_active and not owner.is_suspended
    assert not AuditEntry.objects.exists()


def test_a_report_that_suspends_the_owner_leaves_one_suspension_entry(owner, staff):
    link_services.link_create(owner=owner, url="https://example.com/spam", tags=["报告"], capture=False)
    share = shares.share_create(owner=owner, tag="报告", title="合集")
    report = Report.objects.create(share=share, reason=Report.Reason.SPAM)
    moderation.report_resolve(report=report, actor=staff, action=moderation.Action.SUSPEND_USER, reason="spam")
    moderation.report_resolve(report=report, actor=staff, action=moderation.Action.RESTORE, reason="mistake")
    assert [(e.action, e.target_type) for e in AuditEntry.objects.order_by("pk")] == [
        ("user.suspend", "user"),
        ("report.suspend_user", "report"),
        ("user.restore", "user"),
        ("report.restore", "report"),
    ]
    assert Share.objects.get(pk=share.pk).owner.is_active
