"""Capture and import errors and notes in words: one table from reason code to message.

The engine (`capture.reasons`) and the capture lifecycle record why a capture failed, and what
to know about one that succeeded, as codes with parameters; a snapshot stores them beside an
English rendering (`error`, `note`), which the API has always returned. Pages word the codes in
the reader's language. A snapshot stored before codes existed has none and shows its English
text as it was stored.

The engine's codes are spelled out here rather than imported: web processes must not load the
engine. tests/snapshots/archive/test_reason_messages.py checks that the table covers them all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from snapshots.models import ImportJob, Report, Snapshot

log = logging.getLogger(__name__)

# The app's own codes: failures the lifecycle decides on, not the engine.
GAVE_UP = "gave_up"  # {"attempts"}: every attempt ended with the worker gone
ATTEMPTS_TIMED_OUT = "attempts_timed_out"  # {"attempts"}: the last run outlived the hard time limit
BROWSER_FAILED = "browser_failed"  # the browser kept breaking (TransientCaptureError); rows from before kept {"error"}
CAPTURE_FAILED = "capture_failed"  # the engine failed without saying why
CANCELLED = "cancelled"  # the owner's account is being deleted
OVER_QUOTA = "over_quota"  # {"used_mb", "quota_mb"}: storing it would pass the owner's storage quota
STORAGE_FAILED = "storage_failed"  # the artifacts could not be written (disk full or read-only, bucket unreachable)
APP_CODES = (GAVE_UP, ATTEMPTS_TIMED_OUT, BROWSER_FAILED, CAPTURE_FAILED, CANCELLED, OVER_QUOTA, STORAGE_FAILED)

# Why a bookmark import failed (snapshots.transfer.importing); the job keeps what it saved.
IMPORT_TIMED_OUT = "import_timed_out"  # {"seconds"}: a run reached IMPORT_SOFT_TIME_LIMIT
IMPORT_UNREADABLE = "import_unreadable"  # the stored file could not be opened or read
IMPORT_CODES = (IMPORT_TIMED_OUT, IMPORT_UNREADABLE)

# The English templates print exactly what the snapshot's `error` and `note` said before codes.
MESSAGES: dict[str, Promise] = {
    # capture.reasons: the link is refused before the browser is used
    "invalid_url": _("not a valid URL"),
    "scheme_not_allowed": _("only http and https links can be captured"),
    "no_host": _("the URL has no host"),
    "credentials_in_url": _("links with credentials cannot be captured"),
    "address_not_allowed": _("address not allowed"),
    "timed_out": _("timed out after %(seconds)s s"),
    # capture.reasons: the page itself stopped the capture
    "page_unresponsive": _("the page stopped responding: its scripts kept the browser busy"),
    "page_interfered": _("the page's scripts interfered with the capture"),
    "page_never_settled": _("the page kept navigating to other pages and never settled"),
    # capture.reasons: the page did not load
    "too_many_redirects": _("too many redirects"),
    "name_not_resolved": _("could not resolve the host name"),
    "connection_refused": _("connection refused"),
    "connection_reset": _("connection reset by the server"),
    "connection_timed_out": _("connection timed out"),
    "empty_response": _("the server sent no response"),
    "invalid_response": _("the server sent an invalid response"),
    "port_not_allowed": _("port not allowed"),
    "tls_handshake_failed": _("TLS handshake failed"),
    "host_not_resolved": _("could not resolve host %(host)s"),
    "host_unreachable": _("could not connect to %(host)s:%(port)s"),
    # Translators: error is Chromium's name for it, such as ERR_CERT_DATE_INVALID.
    "tls_certificate_error": _("TLS certificate error (%(error)s)"),
    # Translators: error is Chromium's name for it, such as ERR_ADDRESS_UNREACHABLE.
    "page_not_loaded": _("page could not be loaded (%(error)s)"),
    "page_not_loaded_unknown": _("page could not be loaded (unknown error)"),
    "download_not_page": _("the link is a download (%(content_type)s), not a page"),
    "download_not_page_unknown": _("the link is a download (unknown type), not a page"),
    # capture.reasons: downloading a PDF or image link failed
    "fetch_out_of_time": _("out of time"),
    # Translators: a download failed; error is the network error's name, such as ECONNREFUSED.
    "fetch_failed": _("%(url)s: %(error)s"),
    "fetch_too_large": _("%(url)s: larger than %(bytes)s bytes"),
    "fetch_unsupported_scheme": _("unsupported scheme '%(scheme)s'"),
    # capture.reasons: notes on a capture that succeeded
    "screenshot_cut": _("screenshot cut at %(px)s px"),
    "requests_blocked": _("blocked %(count)s request(s) to addresses that are not allowed"),
    "download_limit_reached": _("download limit of %(mb)s MB reached; the page may be incomplete"),
    "still_loading": _("page still loading at the deadline"),
    "images_not_loaded": _("some images had not loaded"),
    "preview_failed": _("could not render a preview of the file"),
    "deadline_reached": _("deadline reached"),
    # Translators: missing lists artifact kinds, such as "html, pdf".
    "deadline_reached_missing": _("deadline reached; missing: %(missing)s"),
    # capture.reasons: what was hidden before the screenshot, never by clicking
    # Translators: cmp names the consent platforms as the rule set calls them, such as "Onetrust".
    "consent_hidden": _("hid the consent dialog (%(cmp)s) in the screenshot without answering it"),
    "cookie_notice_hidden": _("hid %(count)s cookie notice(s) in the screenshot without answering them"),
    "dialog_hidden": _("hid %(count)s dialog(s) or backdrop(s) covering the page in the screenshot, such as a login "
                       "wall"),
    "app_bar_hidden": _("hid %(count)s \"open in app\" or login bar(s) in the screenshot"),
    "scroll_lock_removed": _("let the page scroll again for the screenshot: a dialog had locked it"),
    "offline_copy_trimmed": _(
        "the offline copy reached its size limit of %(mb)s MB: %(count)s image(s) or font(s) were left out"
    ),
    # capture.reasons: a page the reader saved in their own browser
    "upload_unreadable": _("the uploaded file holds no web page that can be shown"),
    # this module's codes
    GAVE_UP: _("gave up after %(attempts)s attempts"),
    ATTEMPTS_TIMED_OUT: _("timed out after %(attempts)s attempts"),
    # Worded without the browser's own message, which rows from before still carry as a parameter.
    BROWSER_FAILED: _("the capture browser failed on every attempt"),
    CAPTURE_FAILED: _("capture failed"),
    CANCELLED: _("cancelled"),
    OVER_QUOTA: _(
        "not stored: your storage quota is full (%(used_mb)s MB of %(quota_mb)s MB used); "
        "delete old links or versions to make room"
    ),
    STORAGE_FAILED: _("the snapshot could not be stored: the storage was unavailable"),
    # import jobs
    IMPORT_TIMED_OUT: _(
        "the import reached its time limit of %(seconds)s s; the links saved until then are kept, "
        "and importing the file again adds the rest"
    ),
    IMPORT_UNREADABLE: _("the file could not be read"),
}


def reason_text(code: str, params: Mapping[str, object] | None = None) -> str | None:
    """The message of a reason in the active language; None for a code or parameters it does not know."""
    template = MESSAGES.get(code)
    if template is None:
        return None
    try:
        return str(template) % dict(params or {})
    except (KeyError, TypeError, ValueError):
        log.warning("capture reason %s does not fit its parameters %r", code, params)
        return None


def reason_english(code: str, params: Mapping[str, object] | None = None) -> str:
    """The English text stored beside the code (the API's `error`); the code itself if unknown."""
    with translation.override("en"):
        return reason_text(code, params) or code


def error_text(row: Snapshot | ImportJob) -> str:
    """A snapshot's or import job's error for its reader: worded from its code, or as stored
    before codes existed."""
    if row.error_code:
        return reason_text(row.error_code, row.error_params) or row.error
    return row.error


def note_text(snapshot: Snapshot) -> str:
    """A snapshot's notes for its reader, on one line: worded from their codes, or as stored."""
    if snapshot.note_reasons:
        return "; ".join(
            reason_text(r.get("code", ""), r.get("params")) or r.get("code", "") for r in snapshot.note_reasons
        )
    return "; ".join(line.strip() for line in snapshot.note.splitlines() if line.strip())


WAITING_TEXT = _("Waiting its turn: each person's captures run a few at a time.")
HTTP_ERROR_LABEL = _("HTTP %(status)s error")
HTTP_ERROR_TEXT = _("HTTP %(status)s: the site answered with an error page")
HTTP_RETRY_TEXT = _("The site answered HTTP %(status)s (busy): trying again shortly.")


def http_error_text(snapshot: Snapshot | None) -> str:
    """The warning a finished capture of an error answer (4xx, 5xx) carries wherever it is shown."""
    if snapshot is None or not snapshot.is_http_error:
        return ""
    return str(HTTP_ERROR_TEXT) % {"status": snapshot.http_status}


def status_text(snapshot: Snapshot) -> str:
    """What a status badge says on hover: the error, or else the notes, or why it waits."""
    if snapshot.status == Snapshot.Status.WAITING:
        return str(WAITING_TEXT)
    if snapshot.status in Snapshot.IN_FLIGHT and snapshot.http_status:  # a 429 or 503 tried again
        return str(HTTP_RETRY_TEXT) % {"status": snapshot.http_status}
    return error_text(snapshot) or note_text(snapshot)


# What a status reads as on a page. The stored values ("succeeded", "open") are the API's and the
# code's; people read these labels instead, in either language.
CAPTURE_STATUS_LABELS: dict[str, Promise] = {
    Snapshot.Status.WAITING: _("Waiting"),
    Snapshot.Status.QUEUED: _("Queued"),
    Snapshot.Status.RUNNING: _("Capturing"),
    Snapshot.Status.SUCCEEDED: _("Saved"),
    Snapshot.Status.FAILED: _("Capture failed"),
}
NOT_CAPTURED_LABEL = _("Not captured yet")
IMPORT_STATUS_LABELS: dict[str, Promise] = {
    ImportJob.Status.QUEUED: _("Waiting to start"),
    ImportJob.Status.RUNNING: _("Importing"),
    ImportJob.Status.SUCCEEDED: _("Finished"),
    ImportJob.Status.FAILED: _("Import failed"),
}
REPORT_STATUS_LABELS: dict[str, Promise] = {
    Report.Status.OPEN: _("To review"),
    Report.Status.DISMISSED: _("Dismissed"),
    Report.Status.ACTIONED: _("Acted on"),
}


def status_label(row: Snapshot | ImportJob | Report | None) -> str:
    """A capture's, import's or report's status as people read it; None is a link never captured."""
    if row is None:
        return str(NOT_CAPTURED_LABEL)
    table = {Snapshot: CAPTURE_STATUS_LABELS, ImportJob: IMPORT_STATUS_LABELS, Report: REPORT_STATUS_LABELS}[type(row)]
    return str(table.get(row.status, row.status))
