"""Limits on guessing passwords and on asking for password-reset mail, counted in the database.

Failed logins are counted in three windows of `LOGIN_FAILURE_WINDOW` seconds, so that an
attacker can neither guess one name's password nor lock its owner out for everyone:

1. **name from one address**: `LOGIN_FAILURE_LIMIT` failures refuse that address for that name
   until the oldest of them leaves the window. This stops guessing from one place, and locks out
   only that place.
2. **name from everywhere**: once a name has `LOGIN_NAME_FAILURE_LIMIT` failures from all
   addresses together (guessing spread over many addresses), every address that has already
   failed on it is refused; an address that has not is still checked. Distributed guessing gets
   one try per address, and the owner, typing the right password, still logs in.
3. **address for all names**: once an address has `LOGIN_ADDRESS_FAILURE_LIMIT` failures across
   names, each name it has already failed on is refused from there (its allowance drops from
   `LOGIN_FAILURE_LIMIT` to one). The address is slowed down, never blocked: a name it has not
   failed on is always checked.

No rule refuses a password because of another name's failures, so failures with made-up names
behind one proxy address cannot shut everyone out. Every refusal says how long to wait.

Reset mail is limited per address (`PASSWORD_RESET_RATE_PER_HOUR`, refused openly: it says
nothing about accounts) and per email address asked about (`PASSWORD_RESET_TARGET_RATE_PER_HOUR`,
quietly: the page is the same whether mail went or not, and whether the account exists or not;
the mails already sent still work).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import USERNAME_MAX_LENGTH, LoginFailure, PasswordResetRequest

RESET_WINDOW = timedelta(hours=1)


class ResetRateExceeded(Exception):
    """This address asked for too many reset mails in the last hour."""


def _at(ip: str | None) -> Q:
    """Requests without a known address are one address together, never exempt."""
    return Q(ip=ip) if ip is not None else Q(ip__isnull=True)


def _name(username: str) -> str:
    return username[:USERNAME_MAX_LENGTH].lower()


def _nth_newest(failures: QuerySet[LoginFailure], n: int) -> datetime | None:
    """When the n-th newest of these failures happened; None when there are fewer than n."""
    return next(iter(failures.order_by("-created").values_list("created", flat=True)[n - 1 : n]), None)


def login_wait(*, username: str, ip: str | None) -> int:
    """Seconds before this address may try this name again; 0 means check the password."""
    now = timezone.now()
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    recent = LoginFailure.objects.filter(created__gt=now - window)
    name = _name(username)
    mine = recent.filter(_at(ip), username=name)
    newest_mine = _nth_newest(mine, 1)
    if newest_mine is None:
        return 0  # rules 2 and 3 refuse only a name this address has already failed on
    until: list[datetime] = []
    limit_reached = _nth_newest(mine, settings.LOGIN_FAILURE_LIMIT)
    if limit_reached is not None:
        until.append(limit_reached + window)
    for failures, limit in (
        (recent.filter(username=name), settings.LOGIN_NAME_FAILURE_LIMIT),
        (recent.filter(_at(ip)), settings.LOGIN_ADDRESS_FAILURE_LIMIT),
    ):
        reached = _nth_newest(failures, limit)
        if reached is not None:
            until.append(min(newest_mine, reached) + window)
    if not until:
        return 0
    return max(1, math.ceil((max(until) - now).total_seconds()))


def login_failed(*, username: str, ip: str | None) -> None:
    """Count a failure (and forget the ones that have left the window, so the table stays small)."""
    now = timezone.now()
    LoginFailure.objects.filter(created__lte=now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)).delete()
    LoginFailure.objects.create(username=_name(username), ip=ip)


def login_succeeded(*, username: str, ip: str | None) -> None:
    """The right password clears this address's failures on this name, not the name's elsewhere."""
    LoginFailure.objects.filter(_at(ip), username=_name(username)).delete()


def wait_text(seconds: int) -> str:
    """'Please wait …' in words: whole minutes, or seconds under a minute."""
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def login_refused_message(seconds: int) -> str:
    return _("Too many failed attempts. Please wait %(wait)s and try again.") % {"wait": wait_text(seconds)}


def _reset_target(email: str) -> str:
    return salted_hmac("linkhome.password-reset-target", email.strip().lower(), algorithm="sha256").hexdigest()


def password_reset_record(*, email: str, ip: str | None) -> bool:
    """Count one request for reset mail; returns whether mail may be sent to `email`.

    Raises ResetRateExceeded when this address has asked too often this hour (nothing counted).
    """
    since = timezone.now() - RESET_WINDOW
    recent = PasswordResetRequest.objects.filter(created__gt=since)
    per_address, per_target = settings.PASSWORD_RESET_RATE_PER_HOUR, settings.PASSWORD_RESET_TARGET_RATE_PER_HOUR
    if recent.filter(_at(ip))[:per_address].count() >= per_address:
        raise ResetRateExceeded
    target = _reset_target(email)
    allowed = recent.filter(target=target)[:per_target].count() < per_target
    PasswordResetRequest.objects.filter(created__lte=since).delete()
    PasswordResetRequest.objects.create(ip=ip, target=target)
    return allowed
