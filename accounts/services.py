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
from snapshots.audit import audit_record
from snapshots.models import Snapshot
from snapshots.storage import files


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


def user_delete(*, user: User) -> None:
    """Delete the account, its links and snapshots, and (after commit) every artifact file."""
    names = files.artifact_names(Snapshot.objects.filter(link__owner=user))
    names.extend(user.imports.exclude(upload="").values_list("upload", flat=True))
    with transaction.atomic():
        user.delete()
        transaction.on_commit(lambda: files.delete_artifact_files(names))
