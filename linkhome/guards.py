"""Site-wide guards: request bodies of bounded size, and a busy database answered with 503.

Request bodies. Django reads a form or JSON body whole, and writes uploaded files to disk,
before any view sees how large they are. `RequestSizeLimitMiddleware` refuses a body larger
than DATA_UPLOAD_MAX_MEMORY_SIZE from its Content-Length, before anything reads it (a
multipart upload may be as large as a bookmark file, IMPORT_MAX_BYTES, plus the form around
it), with a 400 that names the limit: JSON under /api/, a page elsewhere. Inside a multipart
body Django itself refuses a field over DATA_UPLOAD_MAX_MEMORY_SIZE, more fields than
DATA_UPLOAD_MAX_NUMBER_FIELDS or more files than DATA_UPLOAD_MAX_NUMBER_FILES; `bad_request`
(the site's 400 handler) words those the same way.

A busy database. SQLite has one writer at a time; another waits for it up to the busy
timeout (SQLITE_BUSY_TIMEOUT) and then fails with "database is locked". Writes are kept short
so that this does not happen; if it does anyway, `DatabaseBusyMiddleware` answers 503 with
Retry-After instead of 500, whichever layer raised it: a view (`process_exception`), or
middleware after the view, which Django turns into a 500 response that the outermost layer
replaces.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.signals import got_request_exception
from django.db import OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

UPLOAD_FORM_ROOM = 64 * 1024  # bytes of a multipart body besides its file: boundaries, other fields
BUSY_RETRY_AFTER = 5  # seconds a client is asked to wait after a 503
_BUSY = "_linkhome_database_busy"
_LOCKED = ("database is locked", "database table is locked")
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE


def _wants_json(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads no body then either


def _refused(request: HttpRequest, message: str, **facts: int) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": message, **facts}, status=400)
    return render(request, "errors/message.html", {"title": _("Bad request"), "message": message}, status=400)


def _too_large(request: HttpRequest, allowed: int, *, upload: bool) -> HttpResponse:
    size = filesizeformat(allowed)
    if upload:
        message = _("The file is larger than %(size)s, the largest the site accepts.") % {"size": size}
    else:
        message = _("The request is larger than %(size)s, the largest the site accepts.") % {"size": size}
    return _refused(request, message, max_bytes=allowed)


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        upload = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
        allowed = settings.IMPORT_MAX_BYTES if upload else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if allowed is not None and _content_length(request) > allowed + (UPLOAD_FORM_ROOM if upload else 0):
            return _too_large(request, allowed, upload=upload)
        return self.get_response(request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's 400 handler: Django's own refusals of a request body, worded like ours."""
    if isinstance(exception, RequestDataTooBig):
        return _too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE, upload=False)
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        message = _("The request has more than %(limit)d fields, the most the site accepts.") % {"limit": limit}
        return _refused(request, message, max_fields=limit)
    if isinstance(exception, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        message = _("The request has more than %(limit)d files, the most the site accepts.") % {"limit": limit}
        return _refused(request, message, max_files=limit)
    return _refused(request, _("The request could not be understood."))


def is_database_busy(exc: BaseException | None) -> bool:
    """SQLite: a writer waited out the busy timeout. PostgreSQL: a lock wait cut short by a
    `lock_timeout` (none is set by default, so a write there waits instead)."""
    if not isinstance(exc, OperationalError):
        return False
    return any(text in str(exc) for text in _LOCKED) or getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE


def busy_response(request: HttpRequest) -> HttpResponse:
    """The 503 of a busy database. Its page reads nothing from the database."""
    message = _("The site is busy. Please try again in a few seconds.")
    if _wants_json(request):
        response: HttpResponse = JsonResponse({"detail": message, "retry_after": BUSY_RETRY_AFTER}, status=503)
    else:
        response = render(request, "errors/busy.html", {"message": message}, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


@receiver(got_request_exception)
def _mark_busy(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """Django is about to answer an exception with 500: remember whether it was a busy database."""
    if request is not None and is_database_busy(sys.exc_info()[1]):
        setattr(request, _BUSY, True)


class DatabaseBusyMiddleware:
    """Listed first, so that it sees the response of every layer below it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _BUSY, False):
            return busy_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        log.warning("database busy: %s %s answered 503", request.method, request.path)
        return busy_response(request)
