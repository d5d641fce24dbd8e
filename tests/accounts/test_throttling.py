"""Login limits per name, per name and address, and per address; reset-mail limits per address and per target."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import throttling
from accounts.models import LoginFailure, PasswordResetRequest
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY_ADDRESS = "172.18.0.5"


def _login(client: Client, username: str, password: str, ip: str = PROXY_ADDRESS):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def _errors(response) -> list[str]:
    return [e.code for e in response.context["form"].errors.as_data()["__all__"]]


def _age_failures(seconds: float, **filters) -> None:
    """Move failures into the past instead of waiting for them to get old."""
    LoginFailure.objects.filter(**filters).update(created=timezone.now() - timedelta(seconds=seconds))


def test_correct_password_logs_in_after_twenty_failures_from_other_names_at_the_same_address(owner, settings):
    for n in range(20):
        assert _login(Client(), f"made-up-{n}", "guess").status_code == 200
    assert LoginFailure.objects.filter(ip=PROXY_ADDRESS).count() == 20
    assert _logged_in(_login(Client(), "owner", PASSWORD))


def test_correct_password_logs_in_even_far_beyond_the_address_limit(owner, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for n in range(10):
        _login(Client(), f"made-up-{n}", "guess")
    assert _logged_in(_login(Client(), "owner", PASSWORD))


def test_a_name_under_attack_from_one_address_is_refused_there_with_a_clear_wait(owner, settings):
    attacker = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert _errors(_login(attacker, "owner", "guess")) == ["invalid_login"]
    refused = _login(attacker, "owner", PASSWORD)
    assert not _logged_in(refused) and _errors(refused) == ["throttled"]
    assert "Please wait 15 minutes and try again." in refused.content.decode()
    # Refused without checking: a wrong guess now is not even counted.
    _login(attacker, "owner", "another guess")
    assert LoginFailure.objects.count() == settings.LOGIN_FAILURE_LIMIT
    # The owner, somewhere else, is not locked out.
    assert _logged_in(_login(Client(), "owner", PASSWORD, ip="198.51.100.20"))


def test_the_wait_ends_when_the_oldest_failure_leaves_the_window(owner, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _login(Client(), "owner", "guess")
    _age_failures(settings.LOGIN_FAILURE_WINDOW - 100)
    assert throttling.login_wait(username="owner", ip=PROXY_ADDRESS) in range(99, 101)
    refused = _login(Client(), "owner", PASSWORD)
    assert "Please wait 2 minutes and try again." in refused.content.decode()
    _age_failures(settings.LOGIN_FAILURE_WINDOW - 30)
    assert "Please wait 30 seconds and try again." in _login(Client(), "owner", PASSWORD).content.decode()
    _age_failures(settings.LOGIN_FAILURE_WINDOW + 1)
    assert _logged_in(_login(Client(), "owner", PASSWORD))


def test_guessing_spread_over_many_addresses_gets_one_try_per_address_and_the_owner_still_logs_in(owner, settings):
    per_address = settings.LOGIN_FAILURE_LIMIT - 1
    addresses = [f"203.0.113.{n}" for n in range(settings.LOGIN_NAME_FAILURE_LIMIT // per_address)]
    for ip in addresses:
        for _ in range(per_address):
            _login(Client(), "owner", "guess", ip=ip)
    assert LoginFailure.objects.filter(username="owner").count() == settings.LOGIN_NAME_FAILURE_LIMIT
    # Each of those addresses has failed on the name: now refused, although under its own limit.
    refused = _login(Client(), "owner", PASSWORD, ip=addresses[0])
    assert _errors(refused) == ["throttled"] and "Please wait 15 minutes" in refused.content.decode()
    # A fresh address gets its check: the owner logs in, a new guesser gets one try.
    assert _errors(_login(Client(), "owner", "guess", ip="203.0.113.200")) == ["invalid_login"]
    assert _errors(_login(Client(), "owner", "guess", ip="203.0.113.200")) == ["throttled"]
    assert _logged_in(_login(Client(), "owner", PASSWORD, ip="198.51.100.7"))


def test_an_address_over_its_limit_gets_one_try_per_name(owner, other, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    for n in range(10):
        _login(Client(), f"made-up-{n}", "guess")
    assert _errors(_login(Client(), "owner", "typo")) == ["invalid_login"]
    refused = _login(Client(), "owner", PASSWORD)
    assert _errors(refused) == ["throttled"]
    assert "Please wait 15 minutes" in refused.content.decode()
    # Another name from the same address, and the same name from elsewhere, are checked.
    assert _logged_in(_login(Client(), "other", PASSWORD))
    assert _logged_in(_login(Client(), "owner", PASSWORD, ip="198.51.100.8"))
    # Once the made-up names' failures leave the window, the address has its full allowance back.
    _age_failures(settings.LOGIN_FAILURE_WINDOW + 1, username__startswith="made-up-")
    assert _logged_in(_login(Client(), "owner", PASSWORD))


def test_names_are_counted_without_regard_to_case(owner, settings):
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        _login(Client(), "OWNER" if n % 2 else "Owner", "guess")
    assert _errors(_login(Client(), "owner", PASSWORD)) == ["throttled"]


def test_success_clears_only_this_address_failures_on_the_name(owner, settings):
    _login(Client(), "owner", "guess", ip="203.0.113.1")
    _login(Client(), "owner", "typo", ip="198.51.100.9")
    assert _logged_in(_login(Client(), "owner", PASSWORD, ip="198.51.100.9"))
    assert list(LoginFailure.objects.values_list("ip", flat=True)) == ["203.0.113.1"]


def test_failures_older_than_the_window_are_pruned(settings):
    _login(Client(), "someone", "guess")
    _age_failures(settings.LOGIN_FAILURE_WINDOW + 1)
    _login(Client(), "someone", "guess")
    assert LoginFailure.objects.count() == 1


def test_token_endpoint_says_how_long_to_wait(anon_api, owner, settings):
    url = reverse("api_token")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        anon_api.post(url, {"username": "owner", "password": "guess"}, format="json")
    refused = anon_api.post(url, {"username": "owner", "password": PASSWORD}, format="json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == settings.LOGIN_FAILURE_WINDOW
    assert refused.json()["detail"] == "Too many failed attempts. Please wait 15 minutes and try again."


def test_the_wait_is_worded_in_chinese(owner, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _login(Client(), "owner", "guess")
    refused = Client().post(
        reverse("accounts:login"),
        {"username": "owner", "password": PASSWORD},
        REMOTE_ADDR=PROXY_ADDRESS,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "失败次数过多，请等待 15 分钟后再试。" in refused.content.decode()


def _ask_reset(email: str, ip: str = PROXY_ADDRESS):
    return Client().post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_reset_mail_is_limited_per_address_openly(owner, settings):
    settings.PASSWORD_RESET_RATE_PER_HOUR = 3
    answers = [_ask_reset(f"nobody-{n}@example.com").status_code for n in range(3)]
    assert answers == [302, 302, 302]
    refused = _ask_reset("owner@example.com")
    assert refused.status_code == 429
    assert "You have asked for many reset mails recently." in refused.content.decode()
    assert mail.outbox == []
    assert _ask_reset("owner@example.com", ip="198.51.100.3").status_code == 302
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]


def test_reset_mail_to_one_address_is_limited_quietly_and_the_earlier_mails_still_work(owner, settings):
    settings.PASSWORD_RESET_TARGET_RATE_PER_HOUR = 2
    answers = [_ask_reset("Owner@Example.com ", ip=f"203.0.113.{n}") for n in range(4)]
    assert [(a.status_code, a.url) for a in answers] == [(302, reverse("accounts:password_reset_done"))] * 4
    assert len(mail.outbox) == 2
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    assert Client().get(link).status_code == 302  # to the form that sets the new password


def test_reset_answers_alike_whether_the_account_exists(owner, settings):
    settings.PASSWORD_RESET_TARGET_RATE_PER_HOUR = 1
    pages = []
    for email in ("owner@example.com", "nobody@example.com"):
        for n in range(2):
            response = _ask_reset(email, ip=f"198.51.100.{n + 10}")
            pages.append((response.status_code, response.url))
    assert len(set(pages)) == 1
    assert PasswordResetRequest.objects.count() == 4
    stored = set(PasswordResetRequest.objects.values_list("target", flat=True))
    assert len(stored) == 2 and not any("@" in t for t in stored)  # keyed hashes, not addresses


def test_the_admin_login_is_under_the_same_limits(staff, settings):
    url = reverse("admin:login")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        Client().post(url, {"username": "staff", "password": "guess"}, REMOTE_ADDR=PROXY_ADDRESS)
    assert LoginFailure.objects.filter(username="staff").count() == settings.LOGIN_FAILURE_LIMIT
    refused = Client().post(url, {"username": "staff", "password": PASSWORD}, REMOTE_ADDR=PROXY_ADDRESS)
    assert refused.status_code == 200 and not refused.wsgi_request.user.is_authenticated
    assert "Please wait 15 minutes" in refused.content.decode()
    allowed = Client().post(url, {"username": "staff", "password": PASSWORD}, REMOTE_ADDR="198.51.100.4")
    assert allowed.status_code == 302 and allowed.wsgi_request.user.is_authenticated
