"""User B can never read, change or delete user A's links: every link URL is walked as B.

The URL list is read from the resolver, so a link or snapshot page added later is covered
without touching this file.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from snapshots.models import Link, Snapshot
from tests.factories import make_link, make_snapshot

pytestmark = pytest.mark.django_db

OBJECT_PARAMS = {"link_id": "link", "snapshot_id": "snapshot"}
API_PREFIXES = {"api/links/": "link", "api/snapshots/": "snapshot"}


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.pattern.converters


def _owned_object_routes() -> list[tuple[str, dict[str, str]]]:
    """Every route that takes a link or snapshot id, with which object each parameter names."""
    routes = []
    for route, converters in _walk(get_resolver().url_patterns):
        params: dict[str, str] = {}
        if set(converters) - {*OBJECT_PARAMS, "pk", "kind"}:
            continue  # reached through a share token or a signature, not through the owner
        for name in converters:
            if name in OBJECT_PARAMS:
                params[name] = OBJECT_PARAMS[name]
            elif name == "pk":
                params[name] = next((kind for p, kind in API_PREFIXES.items() if route.startswith(p)), "")
        if params and all(params.values()):
            routes.append((route, params))
    return routes


def _fill(route: str, params: dict[str, str], objects: dict[str, int]) -> str:
    path = route
    for name, kind in params.items():
        path = path.replace(f"<int:{name}>", str(objects[kind]))
    return "/" + path.replace("<str:kind>", "screenshot")


@pytest.fixture
def owners_link(owner) -> tuple[Link, Snapshot]:
    link = make_link(owner, "https://example.com/私人", tags=["秘密"], notes="私人笔记")
    snapshot = make_snapshot(link, artifacts={"screenshot": "snapshots/x/screenshot.webp"})
    return link, snapshot


def test_the_walk_finds_the_known_routes():
    routes = {route for route, _params in _owned_object_routes()}
    for expected in ("links/<int:link_id>/", "links/<int:link_id>/edit/", "links/<int:link_id>/delete/",
                     "snapshots/<int:snapshot_id>/", "api/links/<int:pk>/", "api/snapshots/<int:pk>/"):
        assert expected in routes


@pytest.mark.parametrize("method", ["get", "post"])
def test_other_user_gets_404_on_every_link_page(other_client, owners_link, method):
    link, snapshot = owners_link
    objects = {"link": link.pk, "snapshot": snapshot.pk}
    for route, params in _owned_object_routes():
        if route.startswith("api/"):
            continue
        path = _fill(route, params, objects)
        data = {"url": "https://evil.example/", "tags": "x", "title": "pwned"} if method == "post" else None
        response = getattr(other_client, method)(path, data)
        assert response.status_code in (404, 405), (path, response.status_code)
        assert "私人" not in response.content.decode(), path
    link.refresh_from_db()
    assert (link.url, link.title, list(link.tags.names())) == ("https://example.com/%E7%A7%81%E4%BA%BA", "", ["秘密"])
    assert link.snapshots.count() == 1


@pytest.mark.parametrize("method", ["get", "post", "patch", "put", "delete"])
def test_other_user_gets_404_on_every_api_link_route(other_api, owners_link, method):
    link, snapshot = owners_link
    objects = {"link": link.pk, "snapshot": snapshot.pk}
    for route, params in _owned_object_routes():
        if not route.startswith("api/"):
            continue
        path = _fill(route, params, objects)
        response = getattr(other_api, method)(path, {"title": "pwned", "tags": ["x"]}, format="json")
        assert response.status_code in (404, 405), (path, method, response.status_code)
        assert "私人" not in response.content.decode(), path
    link.refresh_from_db()
    assert link.title == "" and list(link.tags.names()) == ["秘密"] and link.snapshots.count() == 1


def test_owner_reaches_the_same_pages(owner_client, owner_api, owners_link):
    link, snapshot = owners_link
    objects = {"link": link.pk, "snapshot": snapshot.pk}
    for route, params in _owned_object_routes():
        path = _fill(route, params, objects)
        client = owner_api if route.startswith("api/") else owner_client
        response = client.get(path)
        assert response.status_code != 404 or "<str:kind>" in route, (path, response.status_code)


def test_lists_and_searches_never_show_other_users_links(other_client, other_api, owners_link):
    found = other_client.get("/", {"q": "私人"})
    assert found.context["page"].paginator.count == 0
    assert "example.com/%E7%A7%81" not in found.content.decode() and "私人笔记" not in found.content.decode()
    assert other_client.get("/", {"tag": "秘密"}).context["page"].paginator.count == 0
    assert other_client.get("/tags/").context["tags"].count() == 0
    assert other_client.get("/tags/autocomplete/", {"q": "秘"}).json() == {"tags": []}
    assert other_api.get("/api/links/", {"q": "私人"}).json()["count"] == 0
    assert other_api.get("/api/tags/").json() == []


def test_other_user_cannot_rename_or_merge_someone_elses_tags(other_client, owners_link):
    link, _snapshot = owners_link
    other_client.post("/tags/rename/", {"old": "秘密", "new": "公开"})
    other_client.post("/tags/merge/", {"sources": "秘密", "target": "公开"})
    assert list(link.tags.names()) == ["秘密"]
