"""Sign-up, log-in, log-out, password change and reset, API tokens, suspension and login throttling."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken, LoginFailure, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zx9!long-pass-word"


def _login(client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_signup_form_has_the_documented_fields(client):
    form = client.get(reverse("accounts:signup")).context["form"]
    assert list(form.fields) == ["username", "email", "password1", "password2"]
    assert not form.fields["email"].required


def test_signup_logs_in_and_lands_on_the_empty_list(client):
    response = client.post(
        reverse("accounts:signup"),
        {"username": "王小明", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("snapshots:link_list"), 302)]
    assert response.context["user"].username == "王小明"
    assert response.context["user"].email == ""
    assert list(response.context["page"].object_list) == []
    assert 'class="empty"' in response.content.decode()


def test_signup_with_email_keeps_it(client):
    client.post(
        reverse("accounts:signup"),
        {"username": "li", "email": "li@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert User.objects.get(username="li").email == "li@example.com"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "a", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}, "password2"),
        ({"username": "a", "password1": "123", "password2": "123"}, "password2"),
        ({"username": "owner", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "username"),
        ({"username": "<b>x</b>", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "username"),
        ({"username": "a", "email": "not-an-email", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "email"),
    ],
)
def test_signup_errors_are_shown_and_nobody_is_created(client, owner, data, field):
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


def test_login_then_logout_needs_post(client, owner):
    response = _login(client, "owner", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("snapshots:link_list")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("snapshots:link_list")).status_code == 200
    response = client.post(reverse("accounts:logout"), follow=True)
    # Logged out, the home address is the welcome page, which says the logout worked.
    assert response.redirect_chain == [(reverse("snapshots:link_list"), 302)]
    assert response.templates[0].name == "welcome/landing.html"
    assert "You have logged out." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The notice is said once.
    assert "You have logged out." not in client.get(reverse("snapshots:link_list")).content.decode()


def test_pages_need_login(client):
    for name in ("snapshots:link_add", "snapshots:tag_list", "accounts:settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), name


def test_password_change(owner_client, owner):
    response = owner_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.url == reverse("accounts:password_change_done")
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert owner_client.get(reverse("snapshots:link_list")).status_code == 200


def test_password_reset_by_email(client, owner):
    response = client.post(reverse("accounts:password_reset"), {"email": "owner@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_complete")
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


def test_suspended_user_cannot_log_in_nor_use_tokens(client, owner, owner_api, staff):
    assert owner_api.get(reverse("api_links")).status_code == 200
    services.user_suspend(user=owner, actor=staff, reason="spam")
    response = _login(client, "owner", PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    assert owner_api.get(reverse("api_links")).status_code == 401
    token = client.post(
        reverse("api_token"), {"username": "owner", "password": PASSWORD}, content_type="application/json"
    )
    assert token.status_code == 401


def test_inactive_user_with_a_live_session_is_logged_out(owner_client, owner):
    User.objects.filter(pk=owner.pk).update(is_active=False)
    response = owner_client.get(reverse("snapshots:link_list"))
    assert response.templates[0].name == "welcome/landing.html"  # what visitors see, not the list
    assert owner_client.get(reverse("snapshots:tag_list")).status_code == 302


def test_five_failed_logins_block_even_the_right_password(client, owner):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert _login(client, "owner", "wrong").status_code == 200
    response = _login(client, "owner", PASSWORD)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["throttled"]
    assert "_auth_user_id" not in client.session
    LoginFailure.objects.all().delete()
    assert _login(client, "owner", PASSWORD).status_code == 302


def test_successful_login_clears_earlier_failures(client, owner):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _login(client, "owner", "wrong")
    assert _login(client, "owner", PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="owner").exists()


def test_token_endpoint_is_throttled_too(anon_api, owner):
    url = reverse("api_token")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert anon_api.post(url, {"username": "owner", "password": "wrong"}, format="json").status_code == 401
    blocked = anon_api.post(url, {"username": "owner", "password": PASSWORD}, format="json")
    assert blocked.status_code == 429
    assert "token" not in blocked.json()


def test_form_and_api_failures_count_together(client, anon_api, owner):
    for _ in range(3):
        _login(client, "owner", "wrong")
    for _ in range(2):
        anon_api.post(reverse("api_token"), {"username": "OWNER", "password": "wrong"}, format="json")
    assert _login(client, "owner", PASSWORD).status_code == 200


def test_settings_page_creates_and_revokes_tokens(owner_client, owner):
    response = owner_client.post(reverse("accounts:token_create"), {"name": "脚本"}, follow=True)
    secret = response.context["new_secret"]
    assert secret and secret in response.content.decode()
    token = owner.api_tokens.get()
    assert token.key_hash != secret and token.name == "脚本"
    again = owner_client.get(reverse("accounts:settings")).content.decode()
    assert secret not in again
    owner_client.post(reverse("accounts:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked is not None


def test_tokens_of_another_user_cannot_be_revoked(other_client, owner):
    token, _secret = services.token_create(user=owner, name="mine")
    assert other_client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked is None


def test_api_tokens_create_name_and_revoke(owner_client, owner, client):
    response = owner_client.post(reverse("accounts:token_create"), {"name": "浏览器扩展"}, follow=True)
    token = ApiToken.objects.get(user=owner)
    html = response.content.decode()
    assert token.name == "浏览器扩展" and "浏览器扩展" in html and token.prefix in html
    secret = response.context["new_secret"]
    assert secret and secret.startswith(token.prefix)
    assert client.get("/api/links/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    owner_client.post(reverse("accounts:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked is not None
    assert client.get("/api/links/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401


def test_signup_logs_in_and_lands_on_empty_list(client):
    response = client.post(
        reverse("accounts:signup"),
        {"username": "新用户", "password1": "Zx9!long-pass-word", "password2": "Zx9!long-pass-word"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("snapshots:link_list")
    assert response.context["user"].username == "新用户"
    assert "No links yet" in response.content.decode() or "还没有" in response.content.decode()


def test_login_is_throttled_after_repeated_failures(owner, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    browser = Client()
    for _ in range(3):
        browser.post(reverse("accounts:login"), {"username": "owner", "password": "wrong"})
    response = browser.post(reverse("accounts:login"), {"username": "owner", "password": PASSWORD})
    assert not response.wsgi_request.user.is_authenticated
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["throttled"]
