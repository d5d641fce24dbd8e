"""Users and their API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account. Suspension is `is_active=False` plus the why and when.

    Keeping suspension on the user row (not a separate table) means Django's own auth backends
    refuse the login without extra code, and the data of a suspended user stays untouched.
    """

    show_collections_on_profile = models.BooleanField(
        _("list my shared collections on my public profile"), default=False
    )
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspension_reason = models.CharField(_("suspension reason"), max_length=500, blank=True)

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class ApiToken(models.Model):
    """A revocable API credential. Only a SHA-256 of the secret is stored; `prefix` identifies it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
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
    """One failed login, kept in the database so throttling survives restarts and Redis outages."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} @ {self.created:%Y-%m-%d %H:%M}"
