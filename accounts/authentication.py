"""DRF authentication by `Authorization: Token <secret>` against hashed, revocable tokens."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.models import ApiToken
from accounts.services import hash_token


class HashedTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str):
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(key), revoked__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or suspended."))
        now = timezone.now()
        if token.last_used is None or (now - token.last_used).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token


class BearerTokenAuthentication(HashedTokenAuthentication):
    """The same hashed tokens sent as `Authorization: Bearer <secret>`, which is how the SingleFile
    extension sends its token. Accepted only by the views that list it (the page upload)."""

    keyword = "Bearer"
