"""Why an import skipped a bookmark, as a code people read in their own language.

Each entry of `ImportJob.skipped` keeps a stable `code` (with `params` where the wording needs
them) beside `reason`, its English text, which the API has always returned. The worker that
writes the entries has no reader, so pages word the code when they are shown (`skip_reason`).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from snapshots.links.urlnorm import url_error_text
from snapshots.models import SKIPPED_URL_MAX_LENGTH

DUPLICATE = "duplicate"  # the same address earlier in the file
EXISTS = "exists"  # the owner saved the address already
INVALID_URL = "invalid_url"  # {"error": the URL check's code (links.urlnorm.URL_ERRORS), and its parameters}

MESSAGES: dict[str, Promise] = {
    DUPLICATE: _("This link appears earlier in the file."),
    EXISTS: _("You already saved this link."),
}


def _worded(code: str, params: Mapping[str, object]) -> str | None:
    if code == INVALID_URL:
        return url_error_text(str(params.get("error", "")), params)
    message = MESSAGES.get(code)
    return None if message is None else str(message)


def skip_entry(*, line: int, url: str, code: str, params: Mapping[str, object] | None = None) -> dict[str, object]:
    """One entry of a job's skipped list: where, what, why as a code, and why in English."""
    params = dict(params or {})
    with translation.override("en"):
        reason = _worded(code, params) or code
    entry: dict[str, object] = {"line": line, "url": url[:SKIPPED_URL_MAX_LENGTH], "reason": reason, "code": code}
    if params:
        entry["params"] = params
    return entry


def skip_reason(entry: Mapping[str, object]) -> str:
    """Why an entry was skipped, in the active language; an entry from before codes carried
    parameters shows the text stored with it."""
    params = entry.get("params")
    worded = _worded(str(entry.get("code", "")), params if isinstance(params, Mapping) else {})
    return worded or str(entry.get("reason", ""))
