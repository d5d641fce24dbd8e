"""Template filters for showing stored links to people."""

from __future__ import annotations

from django import template

from snapshots.archive.reasons import translate_reason
from snapshots.links.urlnorm import display_url

register = template.Library()


@register.filter(name="display_url")
def display_url_filter(url: str) -> str:
    """The stored ASCII URL as a reader expects it (路径, not %E8%B7%AF…); hrefs keep the stored URL."""
    return display_url(url or "")


@register.filter(name="reason")
def reason_filter(value: str) -> str:
    """A capture error or note in the reader's language."""
    return translate_reason(value or "")
