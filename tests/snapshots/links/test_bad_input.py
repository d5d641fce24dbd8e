"""Hostile and malformed input gets a clear message and leaves nothing harmful stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from snapshots.links import services
from snapshots.models import Link
from tests.factories import make_link

pytestmark = pytest.mark.django_db

BAD_URLS = {
    "no scheme": "example.com/报告",
    "javascript": "javascript:alert(1)",
    "file": "file:///etc/passwd",
    "too long": "https://example.com/" + "a" * 5000,
    "data": "data:text/html,<script>alert(1)</script>",
    "loopback": "http://127.0.0.1:8000/admin/",
    "nul": "https://exa\x00mple.com/",
    "empty": "   ",
}
SCRIPT = '<script>alert("x")</script>'
RLO = "\u202e"


@pytest.mark.parametrize("raw", BAD_URLS.values(), ids=BAD_URLS.keys())
def test_bad_url_in_form_gets_a_message_and_saves_nothing(owner_client, owner, raw):
    response = owner_client.post(reverse("snapshots:link_add"), {"url": raw, "tags": "政府"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors.get("url"), errors
    assert 'class="error"' in response.content.decode()
    assert not Link.objects.exists()


@pytest.mark.parametrize("raw", BAD_URLS.values(), ids=BAD_URLS.keys())
def test_bad_url_in_api_is_400_with_url_error(owner_api, raw):
    response = owner_api.post(reverse("api_links"), {"url": raw, "tags": ["政府"]}, format="json")
    assert response.status_code == 400
    assert response.json()["url"]
    assert not Link.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"url": None},
        {"url": ["https://example.com/"]},
        {"url": {"a": 1}},
        {"url": True},
        {"url": "https://example.com/", "tags": "政府,报告"},
        {"url": "https://example.com/", "tags": [None]},
        {"url": "https://example.com/", "tags": [{"name": "x"}]},
        {"url": "https://example.com/", "tags": ["长" * 500]},
        {"url": "https://example.com/", "unread": "maybe"},
        {"url": "https://example.com/", "title": "a\x00b"},
        {"url": "https://example.com/", "notes": "x" * 60_000},
    ],
)
def test_invalid_api_input_is_400_json_never_500(owner_api, payload):
    response = owner_api.post(reverse("api_links"), payload, format="json")
    assert response.status_code == 400, response.content
    assert isinstance(response.json(), dict) and response.json()
    assert not Link.objects.exists()


def test_malformed_json_and_lone_surrogates_are_400(owner_api):
    broken = owner_api.post(reverse("api_links"), data='{"url": ', content_type="application/json")
    assert broken.status_code == 400
    surrogate = owner_api.post(
        reverse("api_links"),
        data='{"url": "https://example.com/", "title": "a\\ud800b", "tags": ["\\udfff"]}',
        content_type="application/json",
    )
    assert surrogate.status_code == 400
    assert not Link.objects.exists()


def test_invalid_patch_is_400_and_changes_nothing(owner_api, owner):
    link = make_link(owner, "https://example.com/keep", tags=["甲"])
    url = reverse("api_link", args=[link.pk])
    for payload in ({"url": "javascript:alert(1)"}, {"tags": ["长" * 101]}, {"tags": "甲"}, {"unread": []}):
        assert owner_api.patch(url, payload, format="json").status_code == 400, payload
    link.refresh_from_db()
    assert (link.url, list(link.tags.names())) == ("https://example.com/keep", ["甲"])


def test_tag_of_500_chars_in_form_is_refused_with_a_message(owner_client):
    response = owner_client.post(
        reverse("snapshots:link_add"), {"url": "https://example.com/", "tags": "好, " + "长" * 500}
    )
    assert response.status_code == 200
    assert "100" in " ".join(response.context["form"].errors["tags"])
    assert not Link.objects.exists()


def test_empty_tags_are_dropped_and_names_trimmed(owner_client, owner):
    response = owner_client.post(
        reverse("snapshots:link_add"),
        {"url": "https://example.com/", "tags": " , ,政府 ,， 年度  报告 ,、,Report,report, "},
    )
    assert response.status_code == 302
    assert sorted(Link.objects.get(owner=owner).tags.names()) == sorted(["政府", "年度 报告", "Report"])


def test_empty_tag_list_in_api_is_accepted(owner_api):
    response = owner_api.post(reverse("api_links"), {"url": "https://example.com/", "tags": ["", "  "]}, format="json")
    assert response.status_code == 201
    assert response.json()["tags"] == []


def test_nul_in_form_title_gets_a_message(owner_client):
    response = owner_client.post(reverse("snapshots:link_add"), {"url": "https://example.com/", "title": "a\x00b"})
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert not Link.objects.exists()


def test_services_strip_nul_surrogates_and_bidi_overrides(owner):
    link = services.link_create(
        owner=owner,
        url="https://example.com/",
        title=f"报告\x00{RLO}gpj.exe\ud800",
        notes="第一行\x00\n第二行",
        tags=[f"{RLO}政府\x00", "\udfff报告"],
        capture=False,
    )
    link.refresh_from_db()
    assert link.title == "报告gpj.exe"
    assert link.notes == "第一行\n第二行"
    assert sorted(link.tags.names()) == sorted(["政府", "报告"])


def test_bidi_override_in_form_title_and_tags_is_removed(owner_client, owner):
    owner_client.post(
        reverse("snapshots:link_add"),
        {"url": "https://example.com/", "title": f"{RLO}fdp.exe", "tags": f"{RLO}政府"},
    )
    link = Link.objects.get(owner=owner)
    assert link.title == "fdp.exe"
    assert list(link.tags.names()) == ["政府"]


def _assert_escaped(html: str) -> None:
    assert SCRIPT not in html
    assert "<b>粗体</b>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("path", ["form", "api"])
def test_html_in_title_notes_and_tags_is_escaped_on_every_page(owner_client, owner_api, owner, path):
    fields = {"title": SCRIPT, "notes": f"{SCRIPT}<b>粗体</b>", "description": SCRIPT}
    if path == "form":
        response = owner_client.post(
            reverse("snapshots:link_add"), {"url": "https://example.com/x", "tags": f"{SCRIPT}, 政府", **fields}
        )
        assert response.status_code == 302
    else:
        response = owner_api.post(
            reverse("api_links"), {"url": "https://example.com/x", "tags": [SCRIPT, "政府"], **fields}, format="json"
        )
        assert response.status_code == 201
        assert response["Content-Type"] == "application/json"
        assert response.json()["title"] == SCRIPT
    link = Link.objects.get(owner=owner)
    assert link.title == SCRIPT
    pages = [
        reverse("snapshots:link_list"),
        reverse("snapshots:link_list") + "?tag=政府",
        reverse("snapshots:link_detail", args=[link.pk]),
        reverse("snapshots:link_edit", args=[link.pk]),
        reverse("snapshots:link_delete", args=[link.pk]),
        reverse("snapshots:tag_list"),
    ]
    for page in pages:
        response = owner_client.get(page)
        assert response.status_code == 200, page
        _assert_escaped(response.content.decode())
    autocomplete = owner_client.get(reverse("snapshots:tag_autocomplete"), {"q": "<"})
    assert autocomplete["Content-Type"] == "application/json"
    assert autocomplete.json()["tags"] == [SCRIPT]
