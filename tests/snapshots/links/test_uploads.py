"""Pages saved in the owner's browser: the SingleFile REST endpoint, the add page's file upload and
the bookmarklet's receiving window; what is refused, and how the kept file is served."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from snapshots.models import Link, Snapshot
from tests.factories import make_link, make_share, make_stored_snapshot

pytestmark = pytest.mark.django_db

PAGE = "<!DOCTYPE html><html><head><title>会员文章</title></head><body><p>只有登录后才能看到</p></body></html>".encode()
URL = "https://zhuanlan.example.cn/p/2025"


def singlefile_post(api, data: bytes = PAGE, url: str = URL, name: str = "SingleFile.html"):
    """What SingleFile's "upload to a REST form API" sends (field names as set in its options)."""
    return api.post(
        "/api/uploads/",
        {"file": SimpleUploadedFile(name, data, content_type="text/html"), "url": url},
        format="multipart",
        HTTP_ACCEPT="multipart/form-data",
    )


@pytest.fixture
def bearer_api(owner_api):
    secret = owner_api._credentials["HTTP_AUTHORIZATION"].split(" ", 1)[1]
    owner_api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return owner_api


def test_singlefile_upload_with_a_bearer_token_makes_a_browser_snapshot(bearer_api, owner):
    response = singlefile_post(bearer_api)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "browser" and body["artifacts"]["upload"]
    snapshot = Snapshot.objects.get(pk=body["id"])
    assert snapshot.source == Snapshot.Source.BROWSER and snapshot.link.owner == owner
    assert snapshot.link.url == URL and body["link"] == snapshot.link_id
    with default_storage.open(snapshot.artifacts["upload"], "rb") as handle:
        assert handle.read() == PAGE
    secret = bearer_api._credentials["HTTP_AUTHORIZATION"].split(" ", 1)[1]
    bearer_api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    link = bearer_api.get(f"/api/links/{snapshot.link_id}/").json()
    assert [s["source"] for s in link["snapshots"]] == ["browser"]


def test_a_utf16_page_is_accepted(owner_api):
    response = singlefile_post(owner_api, "\ufeff<html><body><p>统计公报</p></body></html>".encode("utf-16-le"))
    assert response.status_code == 201, response.content


def test_bearer_tokens_open_only_the_upload_endpoint(bearer_api):
    assert bearer_api.get("/api/links/").status_code == 401
    bearer_api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert singlefile_post(bearer_api).status_code == 401


def test_upload_for_a_saved_url_adds_a_version(owner_api, owner):
    link = make_link(owner, URL)
    first = singlefile_post(owner_api)
    second = singlefile_post(owner_api)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["link"] == second.json()["link"] == link.pk
    assert Link.objects.filter(owner=owner).count() == 1
    assert link.snapshots.filter(source=Snapshot.Source.BROWSER).count() == 2


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00page.html", "Zip archives are not accepted"),
        (b"<html><body><script>/* self-extracting */</script>PK\x03\x04\x14\x00zip data</body></html>",
         "Zip archives are not accepted"),
        (b"%PDF-1.7\n1 0 obj", "not a web page"),
        (b"   ", "The file is empty"),
    ],
)
def test_files_that_are_no_plain_page_are_refused_with_a_reason(owner_api, data, words):
    response = singlefile_post(owner_api, data)
    assert response.status_code == 400
    assert words in " ".join(response.json()["file"])
    assert not Snapshot.objects.exists()


def test_a_page_over_the_size_cap_is_refused(owner_api, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = singlefile_post(owner_api, PAGE + b" " * 1000)
    assert response.status_code == 400
    assert "larger than 1000" in " ".join(response.json()["file"])
    assert not Snapshot.objects.exists()


def test_the_kept_file_is_only_shown_in_the_sandbox_and_never_downloaded_as_html(owner_api, owner_client, owner):
    snapshot_id = singlefile_post(owner_api).json()["id"]
    shown = owner_client.get(f"/snapshots/{snapshot_id}/upload/")
    assert shown.status_code == 200
    assert shown["Content-Security-Policy"].startswith("sandbox;") and shown["Content-Type"] == "text/html"
    downloaded = owner_client.get(f"/snapshots/{snapshot_id}/upload/?download=1")
    assert downloaded["Content-Type"] == "text/plain; charset=utf-8"
    assert downloaded["Content-Disposition"].endswith('.txt"') or ".txt" in downloaded["Content-Disposition"]
    link = Snapshot.objects.get(pk=snapshot_id).link
    link.tags.add("报告")
    share = make_share(owner)
    assert Client().get(f"/s/{share.token}/snapshots/{snapshot_id}/upload/").status_code == 404


def test_add_page_uploads_a_saved_file(owner_client):
    page = owner_client.get("/links/add/?url=" + URL)
    assert b'enctype="multipart/form-data"' in page.content and b"/links/upload/" in page.content
    mhtml = (
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b--\r\n"
    )
    response = owner_client.post(
        "/links/upload/", {"url": URL, "tags": "会员, 文章", "file": SimpleUploadedFile("文章.mhtml", mhtml)}
    )
    snapshot = Snapshot.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/links/{snapshot.link_id}/"
    assert snapshot.artifacts["upload"].endswith(".mhtml") and snapshot.source == Snapshot.Source.BROWSER
    assert sorted(snapshot.link.tags.names()) == ["会员", "文章"]


def test_add_page_shows_why_a_file_is_refused(owner_client):
    response = owner_client.post("/links/upload/", {"url": URL, "file": SimpleUploadedFile("a.zip", b"PK\x03\x04")})
    assert response.status_code == 400
    assert "Zip archives are not accepted" in response.content.decode() or "不接受" in response.content.decode()
    assert not Snapshot.objects.exists()


def test_receiving_window_keeps_its_opener_and_uploads_only_with_the_csrf_token(owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    page = browser.get("/links/receive/?url=" + URL)
    assert page.status_code == 200 and page["Cross-Origin-Opener-Policy"] == "unsafe-none"
    upload = {"url": URL, "file": SimpleUploadedFile("page.html", PAGE, content_type="text/html")}
    assert browser.post("/links/receive/", upload).status_code == 403
    token = page.context["csrf_token"]
    upload["file"].seek(0)
    saved = browser.post("/links/receive/", upload, HTTP_X_CSRFTOKEN=str(token))
    assert saved.status_code == 201, saved.content
    assert Snapshot.objects.get(pk=saved.json()["snapshot"]).source == Snapshot.Source.BROWSER
    signed_out = Client().get("/links/receive/?url=" + URL)
    assert signed_out.status_code == 200 and signed_out["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert b'target="_blank"' in signed_out.content and b"receive.js" not in signed_out.content
    assert Client().post("/links/receive/", {"url": URL}).status_code == 403


def test_a_browser_snapshot_is_marked_on_the_list_share_page_feed_and_snapshot_pages(owner_client, owner):
    link = make_link(owner, URL, tags=("报告",), title="会员文章")
    snapshot = make_stored_snapshot(link)
    Snapshot.objects.filter(pk=snapshot.pk).update(source=Snapshot.Source.BROWSER)
    share = make_share(owner)
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    owner_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "saved from browser" in owner_client.get("/").content.decode()
    assert "saved from browser" in visitor.get(f"/s/{share.token}/").content.decode()
    assert "[saved from browser]" in visitor.get(f"/s/{share.token}/feed/").content.decode()
    shared = visitor.get(f"/s/{share.token}/snapshots/{snapshot.pk}/").content.decode()
    assert "saved from browser" in shared
    own = owner_client.get(f"/snapshots/{snapshot.pk}/").content.decode()
    assert "saved from browser" in own and "File as uploaded" not in own  # no upload file kept here


def test_the_file_as_uploaded_is_offered_to_its_owner_and_never_on_a_share(owner_api, owner_client, owner):
    snapshot_id = singlefile_post(owner_api).json()["id"]
    Snapshot.objects.filter(pk=snapshot_id).update(status=Snapshot.Status.SUCCEEDED)
    Snapshot.objects.get(pk=snapshot_id).link.tags.add("报告")
    share = make_share(owner)
    owner_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert f"/snapshots/{snapshot_id}/upload/" in owner_client.get(f"/snapshots/{snapshot_id}/").content.decode()
    shared = Client().get(f"/s/{share.token}/snapshots/{snapshot_id}/")
    assert shared.status_code == 200 and "/upload/" not in shared.content.decode()


def test_an_upload_over_the_hourly_link_limit_is_refused_with_429(owner_api, owner, settings):
    settings.LINK_RATE_PER_HOUR = 1
    assert singlefile_post(owner_api).status_code == 201
    refused = singlefile_post(owner_api, url="https://example.com/another")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("You have saved 1 links in the last hour")
    assert not Link.objects.filter(owner=owner, url="https://example.com/another").exists()
