"""The welcome side of the site: the landing page for visitors, the install pieces (manifest with
its share target, icons), the share target's prefill, the API docs page and the product name."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from snapshots.web.sharetarget import first_address, shared_link
from tests.factories import make_link

pytestmark = pytest.mark.django_db

HOME = "/"
# Anything that would make the browser reach another host.
EXTERNAL = re.compile(r"""(?:src|href|url|action)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def _in(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_visitors_get_the_welcome_page_with_ways_in(client, django_assert_num_queries):
    with django_assert_num_queries(0):  # no session yet: the page reads nothing
        response = _in(client, "en").get(HOME)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "welcome/landing.html"
    page = response.content.decode()
    assert f'href="{reverse("accounts:signup")}"' in page and f'href="{reverse("accounts:login")}"' in page
    assert "Keep the pages you read" in page and "link之家" not in page


def test_the_welcome_page_speaks_chinese_with_one_product_name(client):
    page = _in(client, "zh-hans").get(HOME).content.decode()
    assert "link之家" in page
    text = re.sub(r"<[^>]+>", " ", page)  # what readers see, without markup and addresses
    assert "link之家" in text and "linkhome" not in text


def test_members_keep_their_list_at_home(owner_client, owner):
    make_link(owner, "https://example.org/kept", title="Kept page")
    response = owner_client.get(HOME)
    assert response.templates[0].name == "snapshots/link_list.html"
    assert "Kept page" in response.content.decode()


def test_english_pages_name_the_product_linkhome(owner_client):
    page = _in(owner_client, "en").get(reverse("accounts:settings")).content.decode()
    assert "link之家" not in page
    assert 'class="brand"' in page and "link<strong>home</strong>" in page


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("Look at this: https://example.org/post/7. Great read!", "https://example.org/post/7"),
        ("【标题】国家统计局公报 https://www.stats.gov.cn/sj/zxfb/202502/t20250228.html，来自分享", "https://www.stats.gov.cn/sj/zxfb/202502/t20250228.html"),
        ("(see https://example.org/x)", "https://example.org/x"),
        ("no address here", ""),
        ("ftp://example.org/file", ""),
    ],
)
def test_the_first_web_address_is_found_in_shared_text(text, address):
    assert first_address(text) == address


def test_shared_text_gives_the_address_and_the_words_around_it_the_title():
    assert shared_link({"text": "国家统计局公报 https://example.org/r", "title": ""}) == (
        "https://example.org/r",
        "国家统计局公报",
    )
    # The url parameter wins when an app fills it; the title the app sent stays.
    assert shared_link({"url": "https://a.example/1", "text": "https://b.example/2", "title": "A"}) == (
        "https://a.example/1",
        "A",
    )
    assert shared_link({}) == ("", "")


def test_share_target_opens_the_add_page_prefilled(owner_client):
    response = owner_client.get(
        reverse("snapshots:link_add"),
        {"title": "", "text": "值得一读 https://example.org/article?id=3 （来自某应用）", "url": ""},
    )
    form = response.context["form"]
    assert form.initial["url"] == "https://example.org/article?id=3"
    assert form.initial["title"] == "值得一读 （来自某应用）"
    assert 'value="https://example.org/article?id=3"' in response.content.decode()


def test_a_share_while_logged_out_comes_back_to_the_add_page_after_login(client):
    query = "text=see%20https%3A%2F%2Fexample.org%2Fz"
    response = client.get(f"{reverse('snapshots:link_add')}?{query}")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert "text%3Dsee" in response.url  # the shared text survives the login in `next`


def test_manifest_is_served_as_a_manifest_with_a_share_target(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = _in(client, "zh-hans").get(reverse("snapshots:web_manifest"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["name"] == "link之家" and manifest["start_url"] == HOME
    target = manifest["share_target"]
    assert target["action"] == reverse("snapshots:link_add") and target["method"] == "GET"
    assert target["params"] == {"title": "title", "text": "text", "url": "url"}
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512", "any"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL)), icon["src"]
    assert json.loads(_in(Client(), "en").get(reverse("snapshots:web_manifest")).content)["name"] == "linkhome"


def test_manifest_says_which_language_its_words_are_in(client):
    for language, name in (("zh-hans", "link之家"), ("en", "linkhome")):
        manifest = json.loads(_in(Client(), language).get(reverse("snapshots:web_manifest")).content)
        assert (manifest["lang"], manifest["dir"], manifest["name"]) == (language, "ltr", name)
    # Without a cookie the browser's Accept-Language decides, as for the pages.
    chinese = Client().get(reverse("snapshots:web_manifest"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert json.loads(chinese.content)["lang"] == "zh-hans"


def test_pages_link_the_manifest_and_icons(client):
    page = client.get(HOME).content.decode()
    assert f'rel="manifest" href="{reverse("snapshots:web_manifest")}"' in page
    for name in ("icons/favicon.ico", "icons/icon.svg", "icons/apple-touch-icon.png"):
        assert f"{settings.STATIC_URL}{name}" in page and finders.find(name)


def test_favicon_address_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response.url == f"{settings.STATIC_URL}icons/favicon.ico"


def test_api_docs_page_is_served_from_this_site(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = _in(client, "en").get(reverse("api_docs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert "<script>" not in page  # no inline script: Redoc starts from <redoc spec-url>
    assert f'spec-url="{reverse("api_schema")}"' in page
    script = re.search(r'<script src="([^"]+)"', page).group(1)
    assert script.startswith(settings.STATIC_URL) and finders.find(script.removeprefix(settings.STATIC_URL))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "default-src 'self'" in policy


def test_footer_links_the_api_docs_and_settings_too(owner_client):
    docs = f'href="{reverse("api_docs")}"'
    assert docs in owner_client.get(HOME).content.decode()
    assert owner_client.get(reverse("accounts:settings")).content.decode().count(docs) == 2
