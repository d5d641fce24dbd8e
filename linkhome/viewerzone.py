"""Times shown in the viewer's own time zone, as their browser reports it.

static/js/timezone.js stores `Intl.DateTimeFormat().resolvedOptions().timeZone` in the `tz`
cookie; this middleware activates that zone for the request, so every `{{ value|date }}`,
`timezone.localtime()` and download name follows it. A missing or unknown name (the first page
before the script has run, a forged cookie) falls back to settings.TIME_ZONE.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

ZONE_COOKIE = "tz"
# The longest IANA name is about 30 characters; a longer cookie is not a zone name.
ZONE_NAME_MAX_LENGTH = 64


@functools.cache
def _known_zones() -> frozenset[str]:
    # Checked against the list, not by trying ZoneInfo(name): a crafted name never becomes a file path.
    return frozenset(zoneinfo.available_timezones())


def viewer_zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone a cookie names, or None when it names none we know."""
    if not name or len(name) > ZONE_NAME_MAX_LENGTH or name not in _known_zones():
        return None
    return zoneinfo.ZoneInfo(name)


class ViewerTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = viewer_zone(request.COOKIES.get(ZONE_COOKIE))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            # A worker thread serves the next request with nothing left over from this one.
            timezone.deactivate()
