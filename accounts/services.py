"""Write paths for accounts: API tokens, suspension, deletion (login limits: accounts/throttling.py)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import (
    SUSPENSION_REASON_MAX_LENGTH,
    TOKEN_NAME_MAX_LENGTH,
    TOKEN_PREFIX_LENGTH,
    ApiToken,
    User,
)
from snapshots.archive import reasons, removal
from snapshots.audit import audit_record
from snapshots.models import ImportJob, Report, Snapshot
from snapshots.storage import blobs, files

AUDIT_OPEN_REPORTS_KEPT = 100  # open reports summarised in the entry of an account's deletion


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token; the plain secret is returned once and never stored."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:TOKEN_NAME_MAX_LENGTH],
        prefix=secret[:TOKEN_PREFIX_LENGTH],
        key_hash=hash_token(secret),
    )
    return token, secret


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])


def _require_staff(actor: User) -> None:
    if not actor.is_staff:
        raise PermissionError("only staff suspend and restore accounts")


@transaction.atomic
def user_suspend(*, user: User, actor: User, reason: str) -> None:
    """Suspend an account: no login, API tokens revoked, shares dark; the data is kept.

    The one way to suspend, so it always leaves an audit entry. Shares go dark because access
    checks the owner's state, so nothing here rewrites the shares themselves.
    """
    _require_staff(actor)
    user.is_active = False
    user.suspended_at = timezone.now()
    user.suspension_reason = reason[:SUSPENSION_REASON_MAX_LENGTH]
    user.save(update_fields=["is_active", "suspended_at", "suspension_reason"])
    user.api_tokens.filter(revoked__isnull=True).update(revoked=timezone.now())
    audit_record(actor=actor, action="user.suspend", target=user, reason=reason)


@transaction.atomic
def user_restore(*, user: User, actor: User, reason: str) -> None:
    """Lift a suspension (revoked tokens stay revoked: the user makes new ones); audited."""
    _require_staff(actor)
    user.is_active = True
    user.suspended_at = None
    user.suspension_reason = ""
    user.save(update_fields=["is_active", "suspended_at", "suspension_reason"])
    audit_record(actor=actor, action="user.restore", target=user, reason=reason)


def _open_reports(user: User) -> list[dict[str, object]]:
    """What the open reports about the user's collections said: they go with the collections."""
    reports = (
        Report.objects.filter(share__owner=user, status=Report.Status.OPEN)
        .select_related("share", "link")
        .order_by("created", "id")[:AUDIT_OPEN_REPORTS_KEPT]
    )
    return [
        {
            "report": report.pk,
            "reason": report.reason,
            "message": report.message,
            "created": report.created.isoformat(),
            "share": report.share.title,
            "link": report.link.url if report.link else None,
        }
        for report in reports
    ]


def user_delete(*, user: User, actor: User | None = None) -> None:
    """Delete the account and everything of it: links, versions, shares, imports, every file and folder.

    First the account is closed in its own transaction: no more logins, tokens revoked, and its
    queued and running captures and imports end as cancelled. A capture finishing after that
    finds its row finished and deletes what it wrote, so the list of files taken next is whole.
    Then one transaction writes the audit entry (`actor`: staff in the admin, else the user; it
    keeps the name and what open reports about the user's collections said, since the reports
    go with them) and deletes the user. After commit the files go, then the owner's folders
    with anything no row named. Earlier audit entries stay: they name their targets by id.
    """
    now = timezone.now()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.api_tokens.filter(revoked__isnull=True).update(revoked=now)
        removal.snapshots_cancel(owner=user)
        user.imports.filter(status__in=(ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)).update(
            status=ImportJob.Status.FAILED, error=reasons.reason_english(reasons.CANCELLED), finished=now
        )
    names = files.artifact_names(Snapshot.objects.filter(link__owner=user))
    uploads = list(user.imports.exclude(upload="").values_list("upload", flat=True))
    folders = files.owner_folders(user.pk)

    def delete_files() -> None:
        files.delete_artifact_files(uploads)
        for folder in folders:
            files.delete_folder(folder)

    with transaction.atomic():
        details = {"username": user.username, "open_reports": _open_reports(user)}
        audit_record(actor=actor or user, action="user.delete", target=user, details=details)
        user.delete()
        blobs.blobs_release(names)
        transaction.on_commit(delete_files)
