"""Values every page's layout needs, computed once per process rather than once per request."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

NAV_URLS = {
    "links": "snapshots:link_list",
    "tags": "snapshots:tag_list",
    "search": "snapshots:search",
    "imports": "snapshots:import_start",
    "shares": "snapshots:share_list",
    "moderation": "snapshots:moderation_queue",
    "add": "snapshots:link_add",
    "set_language": "set_language",
    "settings": "accounts:settings",
    "admin": "admin:index",
    "logout": "accounts:logout",
    "login": "accounts:login",
    "signup": "accounts:signup",
}


@cache
def _nav_for(script_prefix: str) -> dict[str, str]:
    return {key: reverse(name) for key, name in NAV_URLS.items()}


def nav(request: HttpRequest) -> dict[str, dict[str, str]]:
    """The layout's links as `{{ nav.tags }}`: fourteen `{% url %}` tags cost ~1.5 ms a page.

    The URLs depend only on the script prefix (the app has no per-language URL patterns).
    """
    return {"nav": _nav_for(get_script_prefix())}
