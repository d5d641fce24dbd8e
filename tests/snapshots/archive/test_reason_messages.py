"""Capture reasons are stored as codes and worded from one table, in Chinese and in English.

The English wording is also stored in `error` and `note`, which the API returns: it must read
exactly as it did before codes existed.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from capture import reasons as engine
from capture.reasons import Reason
from capture.results import CaptureResult
from snapshots.archive import lifecycle, reasons
from snapshots.links import services
from snapshots.models import Snapshot
from snapshots.web import rows

EVERY_CODE = (*engine.ALL, *reasons.APP_CODES, *reasons.IMPORT_CODES)
NUMBERS = {"port", "count", "mb", "bytes", "attempts"}


def _sample_params(code: str) -> dict[str, str | int]:
    with translation.override("en"):
        names = re.findall(r"%\((\w+)\)s", str(reasons.MESSAGES[code]))
    return {name: 3 if name in NUMBERS else f"<{name}>" for name in names}


def test_the_table_words_exactly_the_engine_and_app_codes():
    assert len(set(EVERY_CODE)) == len(EVERY_CODE)
    assert set(reasons.MESSAGES) == set(EVERY_CODE)


@pytest.mark.parametrize("code", EVERY_CODE)
def test_every_code_has_a_chinese_and_an_english_message(code):
    params = _sample_params(code)
    with translation.override("en"):
        english = reasons.reason_text(code, params)
    with translation.override("zh-hans"):
        chinese = reasons.reason_text(code, params)
    assert english and chinese and chinese != english
    assert "%" not in english and "%" not in chinese
    assert all(str(value) in chinese for value in params.values())
    assert re.search(r"[\u4e00-\u9fff]", chinese)


@pytest.mark.parametrize(
    ("code", "params", "english"),
    [
        (engine.TIMED_OUT, {"seconds": "45"}, "timed out after 45 s"),
        (engine.SCREENSHOT_CUT, {"px": "15,000"}, "screenshot cut at 15,000 px"),
        (engine.REQUESTS_BLOCKED, {"count": 2}, "blocked 2 request(s) to addresses that are not allowed"),
        (engine.DOWNLOAD_LIMIT_REACHED, {"mb": 50}, "download limit of 50 MB reached; the page may be incomplete"),
        (engine.HOST_UNREACHABLE, {"host": "example.com", "port": 81}, "could not connect to example.com:81"),
        (engine.DOWNLOAD_NOT_PAGE, {"content_type": "application/zip"},
         "the link is a download (application/zip), not a page"),
        (engine.DOWNLOAD_NOT_PAGE_UNKNOWN, {}, "the link is a download (unknown type), not a page"),
        (engine.PAGE_NOT_LOADED_UNKNOWN, {}, "page could not be loaded (unknown error)"),
        (engine.DEADLINE_REACHED_MISSING, {"missing": "html, pdf"}, "deadline reached; missing: html, pdf"),
        (engine.FETCH_UNSUPPORTED_SCHEME, {"scheme": "ftp"}, "unsupported scheme 'ftp'"),
        (engine.FETCH_TOO_LARGE, {"url": "http://x.cn/a", "bytes": 100}, "http://x.cn/a: larger than 100 bytes"),
        (reasons.GAVE_UP, {"attempts": 3}, "gave up after 3 attempts"),
        (reasons.BROWSER_FAILED, {}, "the capture browser failed on every attempt"),
        (engine.PAGE_UNRESPONSIVE, {}, "the page stopped responding: its scripts kept the browser busy"),
        (reasons.CAPTURE_FAILED, {}, "capture failed"),
    ],
)
def test_english_reads_as_it_did_before_codes(code, params, english):
    with translation.override("zh-hans"):  # whatever the active language, storage is English
        assert reasons.reason_english(code, params) == english


def test_browser_failures_stored_with_driver_text_are_worded_without_it():
    snap = Snapshot(
        error="browser failed: Message: timeout\nStacktrace:\n#0 0x55ceefcd597e <unknown>",
        error_code=reasons.BROWSER_FAILED, error_params={"error": "Message: timeout\nStacktrace:\n#0 0x55ceefcd597e"},
    )
    with translation.override("zh-hans"):
        assert reasons.error_text(snap) == "抓取浏览器每次尝试都出错"
    with translation.override("en"):
        assert reasons.error_text(snap) == "the capture browser failed on every attempt"


def test_unknown_code_or_unfit_parameters_fall_back_to_the_stored_text():
    assert reasons.reason_text("no_such_code") is None
    assert reasons.reason_text(engine.HOST_NOT_RESOLVED, {}) is None
    snap = Snapshot(error="could not resolve host x.cn", error_code=engine.HOST_NOT_RESOLVED, error_params={})
    with translation.override("zh-hans"):
        assert reasons.error_text(snap) == "could not resolve host x.cn"


@pytest.fixture
def snapshot(owner) -> Snapshot:
    link = services.link_create(owner=owner, url="https://example.com/report", capture=False)
    return Snapshot.objects.create(link=link, owner_id=link.owner_id, status=Snapshot.Status.RUNNING, attempts=1)


@pytest.mark.django_db
def test_a_failure_is_stored_as_code_and_english(snapshot):
    error = Reason(engine.HOST_UNREACHABLE, {"host": "例子.cn", "port": 8080})
    lifecycle.snapshot_finish(snapshot.pk, CaptureResult(ok=False, error=error))
    snapshot.refresh_from_db()
    assert (snapshot.status, snapshot.error) == (Snapshot.Status.FAILED, "could not connect to 例子.cn:8080")
    assert (snapshot.error_code, snapshot.error_params) == ("host_unreachable", {"host": "例子.cn", "port": 8080})
    with translation.override("zh-hans"):
        assert reasons.error_text(snapshot) == "无法连接到 例子.cn:8080"


@pytest.mark.django_db
def test_a_failure_without_a_reason_is_capture_failed(snapshot):
    lifecycle.snapshot_finish(snapshot.pk, CaptureResult(ok=False))
    snapshot.refresh_from_db()
    assert (snapshot.error_code, snapshot.error) == (reasons.CAPTURE_FAILED, "capture failed")


@pytest.mark.django_db
def test_notes_are_stored_as_codes_and_english_lines(snapshot):
    notes = [Reason(engine.SCREENSHOT_CUT, {"px": "15,000"}), Reason(engine.REQUESTS_BLOCKED, {"count": 2})]
    lifecycle.snapshot_finish(snapshot.pk, CaptureResult(ok=True, notes=notes, text="正文"))
    snapshot.refresh_from_db()
    assert snapshot.note == "screenshot cut at 15,000 px\nblocked 2 request(s) to addresses that are not allowed"
    assert snapshot.note_reasons == [
        {"code": "screenshot_cut", "params": {"px": "15,000"}},
        {"code": "requests_blocked", "params": {"count": 2}},
    ]
    assert (snapshot.error, snapshot.error_code, snapshot.error_params) == ("", "", {})
    with translation.override("zh-hans"):
        assert reasons.note_text(snapshot) == "截图已在 15,000 像素处截断; 已拦截 2 个指向不允许地址的请求"


@pytest.mark.django_db
def test_running_out_of_attempts_is_an_app_code(snapshot, settings):
    Snapshot.objects.filter(pk=snapshot.pk).update(attempts=settings.CAPTURE_MAX_ATTEMPTS)
    assert lifecycle.snapshot_start(snapshot.pk, task_id="t") is None
    snapshot.refresh_from_db()
    attempts = settings.CAPTURE_MAX_ATTEMPTS
    assert (snapshot.error_code, snapshot.error_params) == (reasons.GAVE_UP, {"attempts": attempts})
    assert snapshot.error == f"gave up after {attempts} attempts"


@pytest.mark.django_db
def test_pages_word_the_code_in_the_readers_language_and_old_rows_as_stored(owner_client, snapshot):
    lifecycle.snapshot_fail(snapshot.pk, engine.TIMED_OUT, {"seconds": 45})
    link = snapshot.link
    old = Snapshot.objects.create(
        link=link, owner_id=link.owner_id, status=Snapshot.Status.FAILED, error="some reason from long ago"
    )
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    page = owner_client.get(reverse("snapshots:snapshot_detail", args=[snapshot.pk]), **zh).content.decode()
    assert "45 秒后超时" in page and "timed out after" not in page
    page = owner_client.get(reverse("snapshots:link_detail", args=[link.pk]), **zh).content.decode()
    assert "45 秒后超时" in page and "some reason from long ago" in page
    page = owner_client.get(reverse("snapshots:snapshot_detail", args=[old.pk]), **zh).content.decode()
    assert "some reason from long ago" in page
    with translation.override("zh-hans"):
        (row,) = rows.link_rows([link])
    assert row.status.reason == "some reason from long ago"  # the newest snapshot is the old-style one
    english = owner_client.get(reverse("snapshots:snapshot_detail", args=[snapshot.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "timed out after 45 s" in english.content.decode()


@pytest.mark.django_db
def test_api_returns_the_code_beside_the_english_error(owner_api, snapshot):
    lifecycle.snapshot_fail(snapshot.pk, engine.ADDRESS_NOT_ALLOWED)
    body = owner_api.get(reverse("api_link", args=[snapshot.link_id]), HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    (shown,) = body["snapshots"]
    assert (shown["error"], shown["error_code"]) == ("address not allowed", "address_not_allowed")
    schema = owner_api.get(reverse("api_schema"), {"format": "json"}).json()
    props = schema["components"]["schemas"]["Snapshot"]["properties"]
    assert props["error_code"]["type"] == "string" and "error" in props
