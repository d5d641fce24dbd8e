"""The writer of the audit log: staff actions and staff views of user content.

It sits below every package of the app (it needs only the model), so each write path that staff
can drive — moderation, the admin's link edits, account suspension — records itself in its own
transaction without importing another write path.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from accounts.models import User
from snapshots.models import AuditEntry


def audit_record(
    *, actor: User | None, action: str, target: models.Model, reason: str = "", details: dict[str, Any] | None = None
) -> AuditEntry:
    """Append one entry; call it inside the transaction of the change it records."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.model_name,
        target_id=str(target.pk),
        reason=reason,
        details=details or {},
    )
