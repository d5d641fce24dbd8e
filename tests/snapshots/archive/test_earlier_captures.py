"""Captures stored before reason codes get their codes once, so pages word them in Chinese too."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from snapshots.archive.reasons import MESSAGES, error_text, note_text
from snapshots.models import Snapshot
from tests.factories import make_link, make_snapshot

pytestmark = pytest.mark.django_db
backfill = importlib.import_module("snapshots.migrations.0007_reason_codes_for_earlier_captures")

# The English the engine and the lifecycle stored before codes, word for word.
EARLIER_ERRORS = {
    "timed out after 45 s": ("timed_out", {"seconds": "45"}),
    "gave up after 3 attempts": ("gave_up", {"attempts": "3"}),
    "could not connect to www.stats.gov.cn:443": ("host_unreachable", {"host": "www.stats.gov.cn", "port": "443"}),
    "could not resolve host nowhere.invalid": ("host_not_resolved", {"host": "nowhere.invalid"}),
    "page could not be loaded (ERR_ADDRESS_UNREACHABLE)": ("page_not_loaded", {"error": "ERR_ADDRESS_UNREACHABLE"}),
    "the link is a download (application/zip), not a page": ("download_not_page", {"content_type": "application/zip"}),
    "address not allowed": ("address_not_allowed", {}),
    "browser failed: chrome not reachable": ("browser_failed", {"error": "chrome not reachable"}),
}


def test_every_code_the_backfill_gives_is_in_the_message_table():
    codes = set(backfill.FIXED.values()) | {code for _pattern, code in backfill.PATTERNS}
    assert codes <= set(MESSAGES)


def test_earlier_failures_get_their_codes_and_read_in_chinese(owner):
    link = make_link(owner)
    failed = {
        text: make_snapshot(link, status=Snapshot.Status.FAILED, error=text, error_code="") for text in EARLIER_ERRORS
    }
    unknown = make_snapshot(link, status=Snapshot.Status.FAILED, error="something the engine never said")
    backfill.fill_codes(apps, None)
    for text, (code, params) in EARLIER_ERRORS.items():
        snapshot = Snapshot.objects.get(pk=failed[text].pk)
        assert (snapshot.error_code, snapshot.error_params, snapshot.error) == (code, params, text)
        with translation.override("zh-hans"):
            worded = error_text(snapshot)
        assert worded != text and any("\u4e00" <= ch <= "\u9fff" for ch in worded), (text, worded)
    unknown.refresh_from_db()
    assert (unknown.error_code, unknown.error) == ("", "something the engine never said")


def test_earlier_notes_are_coded_all_or_nothing(owner):
    link = make_link(owner)
    blocked = "blocked 2 request(s) to addresses that are not allowed"
    known = make_snapshot(link, note=f"screenshot cut at 15,000 px\n{blocked}")
    mixed = make_snapshot(link, note="some images had not loaded\na note nobody wrote")
    backfill.fill_codes(apps, None)
    known.refresh_from_db()
    mixed.refresh_from_db()
    assert known.note_reasons == [
        {"code": "screenshot_cut", "params": {"px": "15,000"}},
        {"code": "requests_blocked", "params": {"count": "2"}},
    ]
    assert mixed.note_reasons == []
    with translation.override("zh-hans"):
        assert "15,000" in note_text(known) and "screenshot" not in note_text(known)
        assert note_text(mixed) == "some images had not loaded; a note nobody wrote"
