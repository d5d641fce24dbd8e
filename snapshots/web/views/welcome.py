"""The pieces that make the site installable: the web app manifest and the browser's icon."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

MANIFEST_TYPE = "application/manifest+json"
# Browsers fetch the manifest again now and then; a day keeps a renamed icon from lingering.
MANIFEST_MAX_AGE = 24 * 3600
ICON_SIZES = (192, 512)


def manifest_data() -> dict[str, object]:
    """The manifest in the request's language. Icons go through `static`, so hashed file names
    in production are the ones listed."""
    icons: list[dict[str, str]] = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in ICON_SIZES
    ]
    icons.append({"src": static("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"})
    icons.append(
        {"src": static("icons/maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"}
    )
    home = reverse("snapshots:link_list")
    return {
        # The language the names and description are in, so an installed app is labelled and read in it.
        "lang": translation.get_language() or settings.LANGUAGE_CODE,
        "dir": "rtl" if translation.get_language_bidi() else "ltr",
        "name": _("linkhome"),
        "short_name": _("linkhome"),
        "description": _("linkhome keeps what you read, as you saw it."),
        "id": home,
        "start_url": home,
        "scope": home,
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#1f6feb",
        "icons": icons,
        # A link shared from a phone's share sheet opens the add page, filled in
        # (snapshots/web/sharetarget.py reads what the app sent).
        "share_target": {
            "action": reverse("snapshots:link_add"),
            "method": "GET",
            "params": {"title": "title", "text": "text", "url": "url"},
        },
    }


@require_GET
def web_manifest(request: HttpRequest) -> HttpResponse:
    body = json.dumps(manifest_data(), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type=f"{MANIFEST_TYPE}; charset=utf-8")
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    patch_cache_control(response, public=True, max_age=MANIFEST_MAX_AGE)
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and feed readers ask for /favicon.ico whatever the page links to."""
    response = redirect(static("icons/favicon.ico"))
    patch_cache_control(response, public=True, max_age=MANIFEST_MAX_AGE)
    return response
