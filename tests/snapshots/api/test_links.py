"""The REST API contract: tokens, links CRUD, pagination, filters, tags, schema, errors as JSON."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken
from snapshots.models import Link
from tests.conftest import PASSWORD, token_client
from tests.factories import make_links

pytestmark = pytest.mark.django_db

LINK_KEYS = {
    "id", "url", "display_url", "title", "description", "notes", "tags", "unread", "keep_as_served", "created",
    "updated", "snapshots",
}


def _parse_utc(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_token_is_issued_hashed_several_per_user_and_revocable(anon_api, owner):
    url = reverse("api_token")
    first = anon_api.post(url, {"username": "owner", "password": PASSWORD}, format="json")
    second = anon_api.post(url, {"username": "owner", "password": PASSWORD}, format="json")
    assert first.status_code == second.status_code == 201
    secrets = [first.json()["token"], second.json()["token"]]
    assert secrets[0] != secrets[1]
    stored = list(ApiToken.objects.filter(user=owner).values_list("key_hash", flat=True))
    assert len(stored) == 2
    assert not set(secrets) & set(stored)
    anon_api.credentials(HTTP_AUTHORIZATION=f"Token {secrets[0]}")
    assert anon_api.get(reverse("api_links")).status_code == 200

    services.token_revoke(token=ApiToken.objects.get(prefix=secrets[0][:8]))
    assert anon_api.get(reverse("api_links")).status_code == 401
    anon_api.credentials(HTTP_AUTHORIZATION=f"Token {secrets[1]}")
    assert anon_api.get(reverse("api_links")).status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "owner", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
    ],
)
def test_token_refused_for_bad_credentials(anon_api, owner, payload):
    response = anon_api.post(reverse("api_token"), payload, format="json")
    assert response.status_code == 401
    assert "token" not in response.json()


def test_token_request_with_missing_fields_is_400(anon_api, owner):
    response = anon_api.post(reverse("api_token"), {"username": "owner"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


@pytest.mark.parametrize("header", [None, "Token nonsense", "Token ", "Bearer abc", "Token a b"])
def test_no_valid_credentials_is_401(anon_api, owner, header):
    if header is not None:
        anon_api.credentials(HTTP_AUTHORIZATION=header)
    for url in (reverse("api_links"), reverse("api_tags")):
        response = anon_api.get(url)
        assert response.status_code == 401, (url, header)
        assert response["Content-Type"].startswith("application/json")


def test_create_link_returns_full_shape_in_utc(owner_api, owner, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    before = datetime.now(UTC)
    response = owner_api.post(
        reverse("api_links"),
        {"url": "https://example.com/路径?q=1", "tags": ["政府", "报告"], "notes": "备注", "title": "标题"},
        format="json",
    )
    after = datetime.now(UTC)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == LINK_KEYS
    assert body["url"] == "https://example.com/%E8%B7%AF%E5%BE%84?q=1"
    assert body["display_url"] == "https://example.com/路径?q=1"
    assert body["tags"] == sorted(["政府", "报告"])
    assert (body["title"], body["notes"], body["description"], body["unread"]) == ("标题", "备注", "", False)
    created = _parse_utc(body["created"])
    assert before <= created <= after
    _parse_utc(body["updated"])
    assert len(body["snapshots"]) == 1 and body["snapshots"][0]["status"] == "queued"
    _parse_utc(body["snapshots"][0]["created"])
    assert Link.objects.get(pk=body["id"]).owner == owner


def test_keep_as_served_is_off_by_default_and_can_be_set_and_cleared(owner_api, anon_api):
    plain = owner_api.post(reverse("api_links"), {"url": "https://example.com/a"}, format="json").json()
    assert plain["keep_as_served"] is False
    kept = owner_api.post(reverse("api_links"), {"url": "https://example.com/b", "keep_as_served": True}, format="json")
    assert kept.status_code == 201 and kept.json()["keep_as_served"] is True
    assert Link.objects.get(pk=kept.json()["id"]).keep_as_served is True
    url = reverse("api_link", args=[kept.json()["id"]])
    assert owner_api.patch(url, {"title": "t"}, format="json").json()["keep_as_served"] is True  # not sent: kept
    assert owner_api.patch(url, {"keep_as_served": False}, format="json").json()["keep_as_served"] is False
    assert Link.objects.get(pk=kept.json()["id"]).keep_as_served is False
    schema = anon_api.get(reverse("api_schema"), {"format": "json"}).json()["components"]["schemas"]
    assert "as served" in schema["Link"]["properties"]["keep_as_served"]["description"]
    assert "as served" in schema["LinkInput"]["properties"]["keep_as_served"]["description"]


def test_idn_host_stored_as_punycode_and_displayed_in_unicode(owner_api):
    body = owner_api.post(reverse("api_links"), {"url": "https://例子.测试/报告"}, format="json").json()
    assert body["url"] == "https://xn--fsqu00a.xn--0zwm56d/%E6%8A%A5%E5%91%8A"
    assert body["display_url"] == "https://例子.测试/报告"


def test_duplicate_is_400_with_existing_id(owner_api, other_api):
    first = owner_api.post(reverse("api_links"), {"url": "https://example.com/a"}, format="json").json()
    again = owner_api.post(reverse("api_links"), {"url": "HTTPS://EXAMPLE.COM:443/a"}, format="json")
    assert again.status_code == 400
    body = again.json()
    assert body["existing_id"] == first["id"]
    assert isinstance(body["url"], list) and body["url"][0]
    assert other_api.post(reverse("api_links"), {"url": "https://example.com/a"}, format="json").status_code == 201


def test_get_patch_delete_one_link(owner_api, owner):
    created = owner_api.post(reverse("api_links"), {"url": "https://example.com/x", "tags": ["甲"]}, format="json")
    url = reverse("api_link", args=[created.json()["id"]])
    assert owner_api.get(url).json()["tags"] == ["甲"]
    patched = owner_api.patch(url, {"title": "新标题", "tags": ["乙", "丙"], "unread": True}, format="json")
    assert patched.status_code == 200
    body = patched.json()
    assert (body["title"], body["tags"], body["unread"]) == ("新标题", sorted(["乙", "丙"]), True)
    assert body["url"] == "https://example.com/x"
    assert owner_api.put(url, {"url": "https://example.com/y"}, format="json").status_code == 405
    assert owner_api.delete(url).status_code == 204
    assert not Link.objects.filter(owner=owner).exists()
    assert owner_api.get(url).status_code == 404


def test_patch_to_an_already_saved_url_is_400_with_existing_id(owner_api):
    a = owner_api.post(reverse("api_links"), {"url": "https://example.com/a"}, format="json").json()
    b = owner_api.post(reverse("api_links"), {"url": "https://example.com/b"}, format="json").json()
    response = owner_api.patch(reverse("api_link", args=[b["id"]]), {"url": "https://example.com/a"}, format="json")
    assert response.status_code == 400
    assert response.json()["existing_id"] == a["id"]


def test_pagination_shape_page_size_and_cap(owner_api, owner):
    make_links(owner, 120)
    first = owner_api.get(reverse("api_links")).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 120 and len(first["results"]) == 20 and first["previous"] is None
    assert "cursor=" in first["next"]  # deep pages by cursor; numbered pages still work:
    second = owner_api.get(reverse("api_links"), {"page": 2, "page_size": 50}).json()
    assert len(second["results"]) == 50
    ids_page1 = [r["id"] for r in owner_api.get(reverse("api_links"), {"page_size": 50}).json()["results"]]
    assert not set(ids_page1) & {r["id"] for r in second["results"]}
    capped = owner_api.get(reverse("api_links"), {"page_size": 1000}).json()
    assert len(capped["results"]) == 100
    newest_first = [_parse_utc(r["created"]) for r in capped["results"]]
    assert newest_first == sorted(newest_first, reverse=True)


def test_filters_by_tag_and_query(owner_api, owner):
    owner_api.post(reverse("api_links"), {"url": "https://gov.example/a", "tags": ["政府"], "title": "年度报告"},
                   format="json")
    owner_api.post(reverse("api_links"), {"url": "https://news.example/b", "tags": ["新闻"], "title": "快讯"},
                   format="json")
    by_tag = owner_api.get(reverse("api_links"), {"tag": "政府"}).json()
    assert [r["url"] for r in by_tag["results"]] == ["https://gov.example/a"]
    by_query = owner_api.get(reverse("api_links"), {"q": "快讯"}).json()
    assert [r["url"] for r in by_query["results"]] == ["https://news.example/b"]
    assert owner_api.get(reverse("api_links"), {"tag": "无此标签"}).json()["count"] == 0


def test_tags_endpoint_counts_only_own_links(owner_api, owner, other):
    make_links(owner, 3, tags=("政府",))
    make_links(other, 5, tags=("政府", "别人的"))
    assert owner_api.get(reverse("api_tags")).json() == [{"name": "政府", "count": 3}]


def test_schema_is_served_and_names_the_contract(anon_api):
    response = anon_api.get(reverse("api_schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    for path in ("/api/auth/token/", "/api/links/", "/api/links/{id}/", "/api/tags/"):
        assert path in schema["paths"], path
    link_props = schema["components"]["schemas"]["Link"]["properties"]
    assert LINK_KEYS <= set(link_props)


def test_token_from_api_works_for_a_second_user_and_sees_nothing_of_the_first(owner_api, other):
    owner_api.post(reverse("api_links"), {"url": "https://example.com/secret"}, format="json")
    assert token_client(other).get(reverse("api_links")).json()["count"] == 0


def test_whole_flow_with_a_token(anon_api, owner):
    token = anon_api.post(reverse("api_token"), {"username": "owner", "password": PASSWORD}, format="json")
    anon_api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    created = anon_api.post(
        reverse("api_links"), {"url": "https://example.com/路径?q=1", "tags": ["政府", "报告"]}, format="json"
    ).json()
    assert anon_api.get(reverse("api_links")).json()["results"][0]["id"] == created["id"]
    assert [r["id"] for r in anon_api.get(reverse("api_links"), {"tag": "政府"}).json()["results"]] == [created["id"]]
    url = reverse("api_link", args=[created["id"]])
    assert anon_api.patch(url, {"notes": "<i>看过</i>"}, format="json").json()["notes"] == "<i>看过</i>"
    assert anon_api.delete(url).status_code == 204
    assert anon_api.get(reverse("api_links")).json()["count"] == 0
