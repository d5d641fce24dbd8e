import time
from urllib.parse import unquote, urlsplit

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.urls import reverse

from snapshots.models import AuditEntry, Share
from snapshots.sharing import shares
from tests.conftest import token_client
from tests.factories import make_link, make_share

pytestmark = pytest.mark.django_db


def artifact(snapshot, kind: str) -> str:
    return reverse("snapshots:snapshot_artifact", args=[snapshot.pk, kind])


def test_archived_html_is_sandboxed_and_framable_only_by_us(owner_client, report_links):
    snapshot = report_links[0].snapshots.get()
    response = owner_client.get(artifact(snapshot, "html"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = [d.strip() for d in csp.split(";")]
    assert directives[0] == "sandbox"  # no allow-scripts, no allow-same-origin
    assert "allow-" not in csp
    assert "default-src 'none'" in directives
    assert "img-src data:" in directives and "frame-ancestors 'self'" in directives
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_pdf_goes_out_without_sandbox_and_other_kinds_deny_framing(owner_client, report_links):
    snapshot = report_links[0].snapshots.get()
    pdf = owner_client.get(artifact(snapshot, "pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in pdf
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    thumb = owner_client.get(artifact(snapshot, "thumbnail"))
    assert thumb["X-Frame-Options"] == "DENY"
    assert thumb["Content-Security-Policy"].startswith("sandbox;")
    assert owner_client.get(reverse("snapshots:link_list"))["X-Frame-Options"] == "DENY"


def test_downloads_have_readable_chinese_file_names(owner_client, report_links):
    snapshot = report_links[0].snapshots.get()
    for kind, extension in (("html", "html"), ("pdf", "pdf"), ("screenshot", "png")):
        response = owner_client.get(artifact(snapshot, kind), {"download": "1"})
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        name = unquote(disposition.split("filename*=utf-8''", 1)[1])
        assert name.startswith("2025年统计公报 - ") and name.endswith(f".{extension}")


DOM = "<!DOCTYPE html><html><head><title>页</title></head><body><script>alert(1)</script><p>正文</p></body></html>"
SVG = "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"


def _store(snapshot, **files: tuple[str, str]) -> None:
    """Add artifact files under the given stored names, e.g. dom=("dom.inert.html", markup)."""
    prefix = f"snapshots/test/{snapshot.link_id}/{snapshot.pk}"
    for kind, (name, data) in files.items():
        snapshot.artifacts[kind] = default_storage.save(f"{prefix}/{name}", ContentFile(data.encode()))
    snapshot.save(update_fields=["artifacts"])


def _download(client, snapshot, kind: str) -> tuple[str, str, bytes]:
    response = client.get(artifact(snapshot, kind), {"download": "1"})
    assert response.status_code == 200
    name = unquote(response["Content-Disposition"].split("filename*=utf-8''", 1)[1])
    return response["Content-Type"], name, b"".join(response.streaming_content)


def test_markup_made_inert_at_capture_downloads_as_itself(owner_client, report_links):
    snapshot = report_links[0].snapshots.get()
    _store(snapshot, dom=("dom.inert.html", "<p>inert</p>"), favicon=("favicon.inert.svg", "<svg/>"))
    content_type, name, body = _download(owner_client, snapshot, "dom")
    assert name.endswith(".dom.html") and body == b"<p>inert</p>"
    content_type, name, body = _download(owner_client, snapshot, "favicon")
    assert (content_type, name[-4:], body) == ("image/svg+xml", ".svg", b"<svg/>")


def test_markup_stored_before_it_was_made_inert_downloads_as_text(owner_client, report_links):
    snapshot = report_links[0].snapshots.get()
    _store(snapshot, dom=("dom.html", DOM), favicon=("favicon.svg", SVG), original=("original.svg", SVG))
    for kind, ending in (("dom", ".dom.html.txt"), ("favicon", ".svg.txt"), ("original", ".svg.txt")):
        content_type, name, body = _download(owner_client, snapshot, kind)
        assert content_type == "text/plain; charset=utf-8" and name.endswith(ending), (kind, name)
        assert b"<script>" in body  # the same bytes, which a text editor shows and never runs
    inline = owner_client.get(artifact(snapshot, "favicon"))
    assert inline["Content-Security-Policy"].startswith("sandbox;")  # viewed on the site, still sandboxed


def test_unknown_kind_and_missing_artifact_are_404(owner_client, owner, report_links):
    snapshot = report_links[0].snapshots.get()
    assert owner_client.get(artifact(snapshot, "secrets")).status_code == 404
    assert owner_client.get(artifact(snapshot, "favicon")).status_code == 404


def test_api_token_fetches_artifact_urls_from_the_api(owner, other, report_links):
    api = token_client(owner)
    snapshot = report_links[0].snapshots.get()
    data = api.get(reverse("api_snapshot", args=[snapshot.pk])).json()
    url = data["artifacts"]["html"]
    assert url.startswith("http://testserver/")
    response = api.get(urlsplit(url).path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"<!doctype html>")
    assert token_client(other).get(urlsplit(url).path).status_code == 404
    bad = Client(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert bad.get(urlsplit(url).path).status_code == 401
    assert Client().get(urlsplit(url).path).status_code == 302


def test_other_users_get_404_for_snapshots(other_client, report_links):
    snapshot = report_links[0].snapshots.get()
    assert other_client.get(reverse("snapshots:snapshot_detail", args=[snapshot.pk])).status_code == 404
    assert other_client.get(artifact(snapshot, "html")).status_code == 404


def test_staff_sees_only_shared_or_reported_links_and_each_look_is_audited(staff, owner):
    client = Client()
    client.force_login(staff)
    private = make_link(owner, "https://example.com/private", tags=("私人",), stored=True)
    snapshot = private.snapshots.get()
    assert client.get(reverse("snapshots:snapshot_detail", args=[snapshot.pk])).status_code == 404
    assert client.get(artifact(snapshot, "html")).status_code == 404
    assert not AuditEntry.objects.exists()
    make_share(owner, tag="私人", title="now shared")
    page = client.get(reverse("snapshots:snapshot_detail", args=[snapshot.pk]))
    assert page.status_code == 200 and page.context["staff_view"] is True
    assert client.get(artifact(snapshot, "html")).status_code == 200
    entries = list(AuditEntry.objects.order_by("pk").values_list("actor", "action", "target_id", "details"))
    assert entries == [
        (staff.pk, "snapshot.view", str(private.pk), {"what": "page"}),
        (staff.pk, "snapshot.view", str(private.pk), {"what": "html"}),
    ]


@override_settings(SNAPSHOT_HOST="snap.testserver", ALLOWED_HOSTS=["testserver", "snap.testserver"])
def test_snapshot_host_serves_signed_urls_bound_to_the_share(client, share, report_links):
    snapshot = report_links[0].snapshots.get()
    page = client.get(reverse("snapshots:share_snapshot", args=[share.token, snapshot.pk]))
    signed = page.context["urls"]["html"]
    parts = urlsplit(signed)
    assert parts.netloc == "snap.testserver" and share.token not in signed
    cookieless = Client()
    response = cookieless.get(parts.path, HTTP_HOST="snap.testserver")
    assert response.status_code == 200
    assert "frame-ancestors http://testserver" in response["Content-Security-Policy"]
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert "X-Frame-Options" not in response
    assert cookieless.get(parts.path).status_code == 404  # never served on the main origin
    assert cookieless.get(parts.path[:-3] + "AAA/", HTTP_HOST="snap.testserver").status_code == 404
    old_share_url = reverse("snapshots:share_artifact", args=[share.token, snapshot.pk, "html"])
    redirected = client.get(old_share_url)
    assert redirected.status_code == 302 and urlsplit(redirected["Location"]).netloc == "snap.testserver"
    shares.share_rotate(share=share)
    assert cookieless.get(parts.path, HTTP_HOST="snap.testserver").status_code == 404


@override_settings(SNAPSHOT_HOST="snap.testserver", ALLOWED_HOSTS=["testserver", "snap.testserver"])
def test_signed_urls_expire_and_follow_the_owner(owner, owner_api, report_links, monkeypatch):
    snapshot = report_links[0].snapshots.get()
    url = owner_api.get(reverse("api_snapshot", args=[snapshot.pk])).json()["artifacts"]["pdf"]
    parts = urlsplit(url)
    assert parts.netloc == "snap.testserver"
    assert Client().get(parts.path, HTTP_HOST="snap.testserver").status_code == 200
    later = time.time() + 3601
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert Client().get(parts.path, HTTP_HOST="snap.testserver").status_code == 404
    monkeypatch.undo()
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert Client().get(parts.path, HTTP_HOST="snap.testserver").status_code == 404


def test_share_artifacts_revalidate_so_pausing_takes_effect(client, share, report_links):
    snapshot = report_links[0].snapshots.get()
    url = reverse("snapshots:share_artifact", args=[share.token, snapshot.pk, "thumbnail"])
    assert client.get(url)["Cache-Control"] == "private, no-cache"
    Share.objects.filter(pk=share.pk).update(active=False)
    assert client.get(url).status_code == 404
