"""Users and their API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

# Field limits: one constant per rule, read by the model field, the forms, the API and the services.
SUSPENSION_REASON_MAX_LENGTH = 500
TOKEN_NAME_MAX_LENGTH = 100
TOKEN_PREFIX_LENGTH = 8  # leading characters of the secret, kept to tell tokens apart
KEY_HASH_LENGTH = 64  # SHA-256 in hex
USERNAME_MAX_LENGTH = 150  # as AbstractUser.username, so any user name fits a failure row


class User(AbstractUser):
    """A person with an account. Suspension is `is_active=False` plus the why and when.

    Keeping suspension on the user row (not a separate table) means Django's own auth backends
    refuse the login without extra code, and the data of a suspended user stays untouched.
    """

    show_collections_on_profile = models.BooleanField(
        _("list my shared collections on my public profile"), default=False
    )
    # The list's titles lead to the link's page by default; some would rather land on what was kept.
    list_titles_open_copy = models.BooleanField(
        _("list titles open the saved copy instead of the link's page"), default=False
    )
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspension_reason = models.CharField(_("suspension reason"), max_length=SUSPENSION_REASON_MAX_LENGTH, blank=True)
    # Empty: the site's STORAGE_QUOTA_MB applies; 0: no limit.
    storage_quota_mb = models.PositiveIntegerField(
        _("storage quota (MB)"), null=True, blank=True,
        help_text=_("Empty: the site default (STORAGE_QUOTA_MB). 0: no limit."),
    )

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class ApiToken(models.Model):
    """A revocable API credential. Only a SHA-256 of the secret is stored; `prefix` identifies it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=TOKEN_NAME_MAX_LENGTH, blank=True)
    prefix = models.CharField(max_length=TOKEN_PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(max_length=KEY_HASH_LENGTH, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or self.user})"


class LoginFailure(models.Model):
    """One failed login, kept in the database so throttling survives restarts and Redis outages.

    `username` is stored lower-cased, as it was typed (the name need not exist), so the
    throttle's lookups are exact matches on an index. Rows older than the window are pruned.
    """

    username = models.CharField(max_length=USERNAME_MAX_LENGTH)
    ip = models.GenericIPAddressField(null=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "created"], name="loginfailure_name_recent"),
            models.Index(fields=["ip", "created"], name="loginfailure_ip_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.created:%Y-%m-%d %H:%M}"


class PasswordResetRequest(models.Model):
    """One request for password-reset mail, counted per address and per email address asked about.

    The email address is kept only as a keyed hash: the table learns nothing about addresses that
    have no account, and the same count applies whether an account exists or not.
    """

    ip = models.GenericIPAddressField(null=True)
    target = models.CharField(max_length=KEY_HASH_LENGTH)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["target", "created"], name="resetrequest_target_recent"),
            models.Index(fields=["ip", "created"], name="resetrequest_ip_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.ip} @ {self.created:%Y-%m-%d %H:%M}"
