"""Pages speak the browser's language (zh-hans or English) with a switcher; moderators get an admin."""

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


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("admin:accounts_user_changelist", {"q": "owner", "is_active__exact": "1"}),
        ("admin:snapshots_link_changelist", {"q": "example", "hidden_by_staff__exact": "0"}),
        ("admin:taggit_tag_changelist", {"q": "政府"}),
        ("admin:snapshots_snapshot_changelist", {"status__exact": "succeeded"}),
    ],
)
def test_admin_lists_search_and_filter(client, staff, owner, name, params):
    make_links(owner, 3)
    client.force_login(staff)
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_admin_link_change_page_opens(client, staff, owner):
    link = make_links(owner, 1)[0]
    client.force_login(staff)
    assert client.get(reverse("admin:snapshots_link_change", args=[link.pk])).status_code == 200


def test_admin_is_closed_to_ordinary_users(owner_client):
    response = owner_client.get(reverse("admin:snapshots_link_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_admin_tag_list_counts_links_and_filters_unused(client, staff, owner, other):
    from taggit.models import Tag

    make_links(owner, 2, tags=("政府",))
    make_links(other, 1, tags=("政府",))
    Tag.objects.create(name="无人用", slug="unused")
    client.force_login(staff)
    response = client.get(reverse("admin:taggit_tag_changelist"))
    counts = {tag.name: tag.link_count for tag in response.context["cl"].result_list}
    assert counts == {"政府": 3, "无人用": 0}
    unused = client.get(reverse("admin:taggit_tag_changelist"), {"in_use": "no"}).context["cl"].result_list
    assert [tag.name for tag in unused] == ["无人用"]
    assert "render_tag_form" not in response.context["cl"].model_admin.get_actions(response.wsgi_request)


def test_admin_link_page_shows_its_tags(client, staff, owner):
    link = make_links(owner, 1, tags=("政府", "报告"))[0]
    client.force_login(staff)
    response = client.get(reverse("admin:snapshots_link_change", args=[link.pk]))
    [inline] = response.context["inline_admin_formsets"]
    assert sorted(form.instance.tag.name for form in inline.formset.forms if form.instance.pk) == ["报告", "政府"]
