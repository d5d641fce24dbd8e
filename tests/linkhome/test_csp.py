"""The site's Content-Security-Policy: on every kind of page of ours, never on an artifact (which
keeps its own sandbox) nor on the API docs (which keep theirs), and open to where artifacts are
served from: SNAPSHOT_HOST, or a bucket's presigned URLs."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from snapshots.api.docs import DOCS_CSP
from snapshots.storage.serving import ARCHIVE_CSP
from tests.factories import make_link, make_share, make_snapshot, make_stored_snapshot

pytestmark = pytest.mark.django_db

REQUIRED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'self'"],
    "form-action": ["'self'"],
}
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def assert_site_policy(response) -> dict[str, list[str]]:
    assert response.status_code == 200
    directives = policy(response)
    for name, values in REQUIRED.items():
        assert directives[name] == values, name
    # Styles from our files only, never inline: the templates carry no style attribute or element.
    assert directives["style-src"] == ["'self'"]
    return directives


def test_app_pages_of_every_kind_send_the_site_policy(owner, owner_client):
    link = make_link(owner, "https://example.com/a", title="报告", tags=["报告"])
    snapshot = make_snapshot(link)
    share = make_share(owner, tag="报告")
    pages = [
        reverse("snapshots:link_list"),
        reverse("snapshots:link_detail", args=[link.pk]),
        reverse("snapshots:snapshot_detail", args=[snapshot.pk]),
        reverse("snapshots:version_compare", args=[link.pk]),
        reverse("snapshots:share_page", args=[share.token]),
        reverse("snapshots:tag_list"),
        reverse("accounts:settings"),
        reverse("snapshots:link_add") + "?popup=1",
    ]
    for page in pages:
        assert_site_policy(owner_client.get(page))
    visitor = Client()
    for page in ("/", reverse("accounts:login"), reverse("snapshots:share_page", args=[share.token])):
        assert_site_policy(visitor.get(page))


def test_the_bookmarklet_window_after_saving_runs_no_inline_handler(owner_client):
    response = owner_client.post(
        reverse("snapshots:link_add") + "?popup=1", {"url": "https://example.com/popup", "title": "弹窗", "tags": ""}
    )
    assert [t.name for t in response.templates][0] == "snapshots/popup_done.html"
    assert_site_policy(response)
    page = response.content.decode()
    assert "data-close-window" in page and "onclick" not in page


def test_artifacts_keep_their_own_sandbox_and_pdfs_get_no_policy(owner, owner_client, media):
    snapshot = make_stored_snapshot(make_link(owner, "https://example.com/stored"))
    for kind in ("html", "text", "screenshot"):
        response = owner_client.get(reverse("snapshots:snapshot_artifact", args=[snapshot.pk, kind]))
        assert response["Content-Security-Policy"] == ARCHIVE_CSP.format(ancestors="'self'"), kind
    pdf = owner_client.get(reverse("snapshots:snapshot_artifact", args=[snapshot.pk, "pdf"]))
    assert pdf.status_code == 200 and "Content-Security-Policy" not in pdf  # the PDF viewer is a plugin


def test_the_api_docs_keep_their_own_policy(client):
    response = client.get(reverse("api_docs"))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == DOCS_CSP


def test_json_and_feeds_carry_no_page_policy(owner, owner_client, client):
    make_link(owner, "https://example.com/fed", tags=["报告"])
    share = make_share(owner, tag="报告")
    assert "Content-Security-Policy" not in client.get(reverse("snapshots:share_feed", args=[share.token]))
    assert "Content-Security-Policy" not in owner_client.get("/api/links/")


def test_a_snapshot_host_may_be_framed_and_show_images(owner_client, settings):
    settings.SNAPSHOT_HOST = "snapshots.example.test:8443"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "snapshots.example.test"]
    directives = assert_site_policy(owner_client.get(reverse("snapshots:link_list")))
    assert directives["frame-src"] == ["'self'", "snapshots.example.test:8443"]
    assert directives["img-src"] == ["'self'", "snapshots.example.test:8443"]


def test_images_from_a_bucket_are_allowed_from_its_endpoint(s3_server, bucket, owner, owner_client):
    directives = assert_site_policy(owner_client.get(reverse("snapshots:link_list")))
    endpoint = urlsplit(s3_server.endpoint)
    assert directives["img-src"] == ["'self'", f"{endpoint.scheme}://{endpoint.netloc}"]
    assert directives["frame-src"] == ["'self'"]  # archived pages are always streamed by us


def test_without_a_bucket_or_snapshot_host_everything_is_this_site(owner_client):
    directives = assert_site_policy(owner_client.get(reverse("snapshots:link_list")))
    assert directives["img-src"] == ["'self'"] and directives["frame-src"] == ["'self'"]


def test_only_the_reader_page_allows_inline_images(owner, owner_client, settings):
    """The reader copy's images are data: URLs; with a snapshot host the page still names it too."""
    snapshot = make_snapshot(make_link(owner, "https://example.com/r"), artifacts={"reader": "r.html"})
    reader = reverse("snapshots:snapshot_reader", args=[snapshot.pk])
    assert assert_site_policy(owner_client.get(reader))["img-src"] == ["'self'", "data:"]
    settings.SNAPSHOT_HOST = "snapshots.example.test"
    assert assert_site_policy(owner_client.get(reader))["img-src"] == ["'self'", "snapshots.example.test", "data:"]
    detail = owner_client.get(reverse("snapshots:snapshot_detail", args=[snapshot.pk]))
    assert "data:" not in detail["Content-Security-Policy"]


# Inline script or style in our own templates, which the policy would refuse. JSON data blocks
# (<script type="application/json">) never run, and the bookmarklets are javascript: addresses
# meant for other sites' pages (site.js stops a click on them here).
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"),
    "event handler attribute": re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "htmx inline handler": re.compile(r"\bhx-on\b|\bhx-on:|js:"),
}


def test_no_template_of_ours_holds_inline_script_or_style():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if path.name == "redoc.html":
            continue  # the API docs send a policy of their own
        source = path.read_text()
        for what, pattern in INLINE.items():
            found += [f"{path.relative_to(TEMPLATES)}: {what}" for _ in pattern.finditer(source)]
        for match in re.finditer(r"""href=["']javascript:""", source):
            line = source[source.rfind("\n", 0, match.start()) + 1 : source.find("\n", match.start())]
            if 'class="button' not in line or "bookmarklet" not in line:
                found.append(f"{path.relative_to(TEMPLATES)}: javascript: address")
    assert found == []
