"""Saving from the reader's own browser, with the real worker and Chromium.

A local site on 127.0.0.1 shows its article only after a cookie login; linkhome runs on
localhost, so the two windows of the bookmarklet flow are two origins. linkhome's own capture
meets the login wall; the bookmarklet hands over the page as the logged-in reader sees it. A
SingleFile-style upload and a hostile one go through the API. One Selenium session.
"""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from selenium.webdriver.common.by import By

from snapshots.models import Snapshot
from tests.pages.server import FixtureServer
from tests.snapshots.tasks.conftest import log_tails
from tests.support.browser import become, chromium, wait
from tests.support.pageserver import LOGIN_WALL, MEMBERS_ONLY, hits
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def forbidden():
    server = FixtureServer().start()
    yield server
    server.stop()


def finished(snapshot_id: int) -> Snapshot | None:
    snapshot = Snapshot.objects.get(pk=snapshot_id)
    return snapshot if snapshot.is_finished else None


def wait_finished(snapshot_id: int, worker) -> Snapshot:
    try:
        return wait_for(lambda: finished(snapshot_id), timeout=60, what=f"snapshot {snapshot_id} to finish")
    except AssertionError:
        raise AssertionError(log_tails(worker)) from None


def singlefile_upload(api, url: str, data: bytes, token: str):
    """SingleFile's "upload to a REST form API" request: Bearer token, the page under `file`, its URL under `url`."""
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api.post(
        "/api/uploads/",
        {"file": SimpleUploadedFile("SingleFile.html", data, content_type="text/html"), "url": url},
        format="multipart",
        HTTP_ACCEPT="multipart/form-data",
    )


def bookmarklet_code(driver, base: str) -> str:
    driver.get(base + "/accounts/settings/")
    link = driver.find_element(By.ID, "bookmarklet-as-i-see-it")
    href = driver.execute_script("return arguments[0].getAttribute('href')", link)
    assert href.startswith("javascript:")
    return href.removeprefix("javascript:")


def run_bookmarklet(driver, code: str) -> str:
    """Click the bookmarklet on the current page; returns the handle of the linkhome window it opened."""
    before = set(driver.window_handles)
    driver.execute_script(code)
    handles = wait(driver).until(lambda d: set(d.window_handles) - before)
    return handles.pop()


def test_login_walled_page_is_saved_as_the_reader_sees_it(celery_worker, allow_pages, owner_api, owner, live_server):
    article = allow_pages.url("/members/article")
    server_side = owner_api.post("/api/links/", {"url": article}, format="json").json()
    captured = wait_finished(server_side["snapshots"][0]["id"], celery_worker)
    assert captured.status == Snapshot.Status.SUCCEEDED, captured.error
    assert LOGIN_WALL in captured.text and MEMBERS_ONLY not in captured.text

    with chromium() as driver:
        become(driver, live_server.url, owner)
        code = bookmarklet_code(driver, live_server.url)
        driver.get(allow_pages.url("/members/login"))
        driver.get(article)
        assert MEMBERS_ONLY in driver.find_element(By.ID, "content").text
        reader_page = driver.current_window_handle
        driver.switch_to.window(run_bookmarklet(driver, code))
        confirm = wait(driver).until(lambda d: d.find_element(By.ID, "receive-confirm").is_displayed() and d)
        assert confirm.find_element(By.ID, "receive-title").text == "会员文章"
        assert not Snapshot.objects.filter(source=Snapshot.Source.BROWSER).exists()  # nothing before the click
        driver.find_element(By.ID, "receive-save").click()
        wait(driver).until(lambda d: d.find_element(By.ID, "receive-done").is_displayed())
        driver.close()

        # A page whose opener policy severs the window gets a clear message and the plain save.
        driver.switch_to.window(reader_page)
        driver.get(allow_pages.url("/members/isolated"))
        driver.switch_to.window(run_bookmarklet(driver, code))
        error = wait(driver).until(lambda d: d.find_element(By.ID, "receive-error").is_displayed()
                                   and d.find_element(By.ID, "receive-error"))
        assert "cut the connection" in error.text or "切断" in error.text
        plain = driver.find_element(By.CSS_SELECTOR, "#receive-plain a")
        assert plain.is_displayed() and "/links/add/" in plain.get_attribute("href")

    saved = Snapshot.objects.get(source=Snapshot.Source.BROWSER)
    assert saved.link_id == server_side["id"]  # the same link, a new version
    saved = wait_finished(saved.pk, celery_worker)
    assert saved.status == Snapshot.Status.SUCCEEDED, saved.error
    assert MEMBERS_ONLY in saved.text and LOGIN_WALL not in saved.text
    assert saved.final_url == article and saved.title == "会员文章"
    # The image that needs the login came inlined from the reader's browser: only that browser asked for it.
    assert hits(allow_pages, "/members/photo.png") == 1
    for kind in ("upload", "screenshot", "pdf", "text", "html", "dom"):
        assert default_storage.exists(saved.artifacts[kind]), kind
    versions = owner_api.get(f"/api/links/{server_side['id']}/").json()["snapshots"]
    assert [v["source"] for v in versions] == ["browser", "capture"]


def test_singlefile_and_hostile_uploads_are_rendered_without_reaching_forbidden_addresses(
    celery_worker, allow_pages, owner_api, forbidden, settings
):
    token = owner_api._credentials["HTTP_AUTHORIZATION"].split(" ", 1)[1]
    page = f"<!DOCTYPE html><html><head><title>订阅文章</title></head><body><p>{MEMBERS_ONLY}</p></body></html>"
    bad = forbidden.origin
    hostile = (
        f"<html><head><title>恶意页面</title><link rel=stylesheet href='{bad}/a.css'>"
        f"<meta http-equiv=refresh content='0;url={bad}/refresh'><script>document.title='HACKED'</script></head>"
        f"<body><p>正文仍在</p><img src='{bad}/img'><img src='http://localhost:{forbidden.port}/img2'>"
        f"<iframe src='{bad}/frame'></iframe><iframe srcdoc=\"<iframe src='{bad}/nested'></iframe>\"></iframe>"
        f"<div style=\"background:url('{bad}/bg')\">背景</div><img src='{allow_pages.url('/chart.png')}'>"
        f"<script>fetch('{bad}/fetch')</script></body></html>"
    )
    accepted = singlefile_upload(owner_api, allow_pages.url("/subscribed/1"), page.encode(), token)
    assert accepted.status_code == 201, accepted.content
    refused_zip = singlefile_upload(owner_api, allow_pages.url("/subscribed/2"), b"PK\x03\x04zip", token)
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    too_big = singlefile_upload(owner_api, allow_pages.url("/subscribed/3"), page.encode() + b" " * 65536, token)
    assert (refused_zip.status_code, too_big.status_code) == (400, 400)
    hostile_id = singlefile_upload(owner_api, allow_pages.url("/subscribed/4"), hostile.encode(), token).json()["id"]

    rendered = wait_finished(accepted.json()["id"], celery_worker)
    assert rendered.status == Snapshot.Status.SUCCEEDED, rendered.error
    assert MEMBERS_ONLY in rendered.text and rendered.title == "订阅文章"
    assert "/subscribed/1" not in allow_pages.requests  # the upload stood in for the page
    survived = wait_finished(hostile_id, celery_worker)
    assert survived.status == Snapshot.Status.SUCCEEDED, survived.error
    assert "正文仍在" in survived.text and survived.title == "恶意页面"
    assert "/chart.png" in allow_pages.requests  # what it names is fetched, through the proxy
    assert any(n["code"] == "requests_blocked" for n in survived.note_reasons), survived.note_reasons
    assert forbidden.connections == 0, forbidden.requests
