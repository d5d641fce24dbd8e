"""Give captures made before reason codes their codes, so pages word them in the reader's language.

Only the new columns are filled (error_code, error_params, note_reasons); the stored English
`error` and `note` stay as they were. The English texts below are the exact ones the engine wrote
before codes existed; a text that matches none keeps no code and is shown as stored. This
parsing lives here, once, rather than on every page view.
"""

import re

from django.db import migrations

FIXED = {
    "not a valid URL": "invalid_url",
    "only http and https links can be captured": "scheme_not_allowed",
    "the URL has no host": "no_host",
    "links with credentials cannot be captured": "credentials_in_url",
    "address not allowed": "address_not_allowed",
    "too many redirects": "too_many_redirects",
    "could not resolve the host name": "name_not_resolved",
    "connection refused": "connection_refused",
    "connection reset by the server": "connection_reset",
    "connection timed out": "connection_timed_out",
    "the server sent no response": "empty_response",
    "the server sent an invalid response": "invalid_response",
    "port not allowed": "port_not_allowed",
    "TLS handshake failed": "tls_handshake_failed",
    "page could not be loaded (unknown)": "page_not_loaded_unknown",
    "page could not be loaded (unknown error)": "page_not_loaded_unknown",
    "the link is a download (unknown type), not a page": "download_not_page_unknown",
    "page still loading at the deadline": "still_loading",
    "some images had not loaded": "images_not_loaded",
    "could not render a preview of the file": "preview_failed",
    "deadline reached": "deadline_reached",
    "capture failed": "capture_failed",
}
# A pattern's named groups become the code's parameters.
PATTERNS = [
    (re.compile(r"timed out after (?P<seconds>[\d.]+) s"), "timed_out"),
    (re.compile(r"timed out after (?P<attempts>\d+) attempts"), "attempts_timed_out"),
    (re.compile(r"gave up after (?P<attempts>\d+) attempts"), "gave_up"),
    (re.compile(r"could not resolve host (?P<host>.+)"), "host_not_resolved"),
    (re.compile(r"could not connect to (?P<host>.+):(?P<port>\d+)"), "host_unreachable"),
    (re.compile(r"TLS certificate error \((?P<error>.+)\)"), "tls_certificate_error"),
    (re.compile(r"page could not be loaded \((?P<error>.+)\)"), "page_not_loaded"),
    (re.compile(r"the link is a download \((?P<content_type>.+)\), not a page"), "download_not_page"),
    (re.compile(r"screenshot cut at (?P<px>[\d,]+) px"), "screenshot_cut"),
    (re.compile(r"blocked (?P<count>\d+) request\(s\) to addresses that are not allowed"), "requests_blocked"),
    (re.compile(r"download limit of (?P<mb>\d+) MB reached; the page may be incomplete"), "download_limit_reached"),
    (re.compile(r"deadline reached; missing: (?P<missing>.+)"), "deadline_reached_missing"),
    (re.compile(r"browser failed: (?P<error>.+)"), "browser_failed"),
]
BATCH = 500


def _reason(text: str) -> dict | None:
    text = text.strip()
    if text in FIXED:
        return {"code": FIXED[text], "params": {}}
    for pattern, code in PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return {"code": code, "params": match.groupdict()}
    return None


def fill_codes(apps, schema_editor):
    Snapshot = apps.get_model("snapshots", "Snapshot")
    earlier = Snapshot.objects.filter(error_code="", note_reasons=[]).exclude(error="", note="").order_by("pk")
    last = 0
    while True:
        # Batches by primary key, not a cursor: SQLite does not isolate a cursor from writes.
        batch = list(earlier.filter(pk__gt=last).only("id", "error", "note")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        changed = [snapshot for snapshot in batch if _fill(snapshot)]
        Snapshot.objects.bulk_update(changed, ["error_code", "error_params", "note_reasons"])


def _fill(snapshot) -> bool:
    """Set the codes a snapshot's stored texts stand for; False when none is recognised."""
    touched = False
    if snapshot.error:
        reason = _reason(snapshot.error)
        if reason is not None:
            snapshot.error_code, snapshot.error_params = reason["code"], reason["params"]
            touched = True
    lines = [line for line in snapshot.note.splitlines() if line.strip()]
    notes = [_reason(line) for line in lines]
    if lines and all(notes):  # all or nothing: a half-worded list of notes would drop one
        snapshot.note_reasons = notes
        touched = True
    return touched


class Migration(migrations.Migration):
    dependencies = [("snapshots", "0006_snapshot_reason_codes")]

    operations = [migrations.RunPython(fill_codes, migrations.RunPython.noop, elidable=True)]
