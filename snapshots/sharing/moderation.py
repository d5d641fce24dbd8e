"""Write paths for reports and staff moderation, each leaving an audit entry in the same transaction.

Actions change flags rather than deleting anything: a hidden link, a disabled share and a
suspended user all keep their data, so every action has a matching restore.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as account_services
from accounts.models import User
from snapshots.audit import audit_record
from snapshots.models import REPORT_MESSAGE_MAX_LENGTH, AuditEntry, Link, Report, Share
from snapshots.textclean import clean_text


class ReportRateExceeded(Exception):
    """This address filed too many reports in the last hour."""


class ReportTargetRateExceeded(ReportRateExceeded):
    """This collection received too many reports in the last hour, from all addresses together."""


class Action(models.TextChoices):
    # Lazy: the labels are read when a page is drawn, in its reader's language, not at import.
    DISMISS = "dismiss", gettext_lazy("Dismiss the report")
    HIDE_LINK = "hide_link", gettext_lazy("Hide the link from all public views")
    DISABLE_SHARE = "disable_share", gettext_lazy("Unpublish the collection (hide the share)")
    SUSPEND_USER = "suspend_user", gettext_lazy("Suspend the owner")
    RESTORE = "restore", gettext_lazy("Restore everything this report led to")


def actions_for(report: Report) -> list[tuple[str, str]]:
    """The decisions a staff member can take on an open report: a report on a whole collection
    has no link to hide, so it is offered the collection's actions only."""
    if report.link_id is None:
        offered = (Action.DISMISS, Action.DISABLE_SHARE, Action.SUSPEND_USER)
    else:
        offered = (Action.DISMISS, Action.HIDE_LINK, Action.DISABLE_SHARE, Action.SUSPEND_USER)
    return [(action.value, action.label) for action in offered]


REPORT_WINDOW = timedelta(hours=1)


def reports_from(ip: str | None) -> int:
    """Reports from this address in the window; reports without a known address count as one address."""
    sender = Q(reporter_ip=ip) if ip is not None else Q(reporter_ip__isnull=True)
    since = timezone.now() - REPORT_WINDOW
    return Report.objects.filter(sender, created__gte=since)[: settings.REPORT_RATE_PER_HOUR].count()


def reports_about(share: Share) -> int:
    since = timezone.now() - REPORT_WINDOW
    return Report.objects.filter(share=share, created__gte=since)[: settings.REPORT_TARGET_RATE_PER_HOUR].count()


def report_create(*, share: Share, link: Link | None, reason: str, message: str = "", ip: str | None) -> Report:
    """File a visitor's report. The limits, per address (`ip`, see accounts.addresses) and per
    collection, are counted from stored reports, so they hold across processes and restarts
    without a cache; the per-collection one keeps many addresses from flooding the queue about
    one owner."""
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": [_("Choose a reason.")]})
    text = clean_text(message or "")
    if len(text) > REPORT_MESSAGE_MAX_LENGTH:
        raise ValidationError({"message": [_("At most %(n)d characters.") % {"n": REPORT_MESSAGE_MAX_LENGTH}]})
    if reports_from(ip) >= settings.REPORT_RATE_PER_HOUR:
        raise ReportRateExceeded
    if reports_about(share) >= settings.REPORT_TARGET_RATE_PER_HOUR:
        raise ReportTargetRateExceeded
    return Report.objects.create(share=share, link=link, reason=reason, message=text, reporter_ip=ip)


def _link_set_hidden(*, link: Link, hidden: bool, actor: User, reason: str) -> None:
    Link.objects.filter(pk=link.pk).update(hidden_by_staff=hidden)
    link.hidden_by_staff = hidden
    audit_record(actor=actor, action="link.hide" if hidden else "link.unhide", target=link, reason=reason)


def _share_set_moderation(*, share: Share, moderation: str, actor: User, reason: str) -> None:
    Share.objects.filter(pk=share.pk).update(moderation=moderation, updated=timezone.now())
    share.moderation = moderation
    action = "share.disable" if moderation == Share.Moderation.DISABLED else "share.enable"
    audit_record(actor=actor, action=action, target=share, reason=reason)


@transaction.atomic
def share_moderate(*, share: Share, moderation: str, actor: User, reason: str = "") -> Share:
    """Staff switch a share off or on; owners cannot undo a disable because they cannot call this."""
    if not actor.is_staff:
        raise PermissionError("only staff moderate shares")
    if moderation not in Share.Moderation.values:
        raise ValidationError({"moderation": [_("Unknown moderation state.")]})
    if share.moderation != moderation:
        _share_set_moderation(share=share, moderation=moderation, actor=actor, reason=reason)
    return share


@transaction.atomic
def report_resolve(*, report: Report, actor: User, action: str, reason: str = "") -> Report:
    """Apply one staff decision to a report and close it; `restore` undoes what the report led to."""
    if not actor.is_staff:
        raise PermissionError("only staff resolve reports")
    report = Report.objects.select_for_update(of=("self",)).select_related("share__owner", "link").get(pk=report.pk)
    share, link, owner = report.share, report.link, report.share.owner
    if action == Action.DISMISS:
        status = Report.Status.DISMISSED
    elif action == Action.HIDE_LINK:
        if link is None:
            raise ValidationError({"action": [_("This report is about a whole collection, not a link.")]})
        _link_set_hidden(link=link, hidden=True, actor=actor, reason=reason)
        status = Report.Status.ACTIONED
    elif action == Action.DISABLE_SHARE:
        _share_set_moderation(share=share, moderation=Share.Moderation.DISABLED, actor=actor, reason=reason)
        status = Report.Status.ACTIONED
    elif action == Action.SUSPEND_USER:
        if owner.is_staff:
            raise ValidationError({"action": [_("Staff accounts are not suspended from here.")]})
        account_services.user_suspend(user=owner, actor=actor, reason=reason)
        status = Report.Status.ACTIONED
    elif action == Action.RESTORE:
        if link is not None and link.hidden_by_staff:
            _link_set_hidden(link=link, hidden=False, actor=actor, reason=reason)
        if share.moderation != Share.Moderation.OK:
            _share_set_moderation(share=share, moderation=Share.Moderation.OK, actor=actor, reason=reason)
        if owner.is_suspended:
            account_services.user_restore(user=owner, actor=actor, reason=reason)
        status = Report.Status.DISMISSED
    else:
        raise ValidationError({"action": [_("Choose an action.")]})
    report.status = status
    report.resolved_by = actor
    report.resolved_at = timezone.now()
    report.save(update_fields=["status", "resolved_by", "resolved_at"])
    audit_record(actor=actor, action=f"report.{action}", target=report, reason=reason)
    return report


def hidden_link_notice(link: Link) -> AuditEntry | None:
    """Why staff hid the owner's link: the newest hide entry, while the link is hidden (else None,
    without a query). The reason a moderator gives is written for the owner to read too."""
    if not link.hidden_by_staff:
        return None
    entries = AuditEntry.objects.filter(target_type=Link._meta.model_name, target_id=str(link.pk), action="link.hide")
    return entries.order_by("-created", "-id").first()


def staff_view_record(*, actor: User, link: Link, what: str) -> AuditEntry:
    """Staff looking at a user's archived content is itself a recorded act."""
    return audit_record(actor=actor, action="snapshot.view", target=link, details={"what": what})
