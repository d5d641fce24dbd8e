"""Pages speak the browser's language (zh-hans or English) with a switcher."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import make_links

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("accept", ["zh-hans", "zh-CN,zh;q=0.9,en;q=0.5", "zh"])
def test_chinese_browsers_get_zh_hans(client, accept):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "用户名" in html  # Django's own catalogue translates the username label


def test_english_browsers_get_english(client):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in html
    assert "Username" in html and "用户名" not in html


def test_language_switcher_overrides_the_browser(client):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'action="/i18n/setlang/"' in html and 'name="language"' in html
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in html


def test_form_errors_follow_the_active_language(owner_client):
    html = owner_client.post(reverse("snapshots:link_add"), {"url": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans").content
    assert "该字段是必填项。" in html.decode()
    with translation.override("en"):
        html = owner_client.post(reverse("snapshots:link_add"), {"url": ""}, HTTP_ACCEPT_LANGUAGE="en").content
    assert "This field is required." in html.decode()


def test_list_page_renders_in_zh_hans(owner_client, owner):
    make_links(owner, 2)
    html = owner_client.get(reverse("snapshots:link_list"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="zh-hans">' in html and "报告 0" in html
