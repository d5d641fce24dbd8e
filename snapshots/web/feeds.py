"""Atom feed of a shared collection, so readers can follow it without an account."""

from __future__ import annotations

import html
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from snapshots import access
from snapshots.links import selectors
from snapshots.models import Share
from snapshots.web.rows import LinkRow, RowStyle, link_rows

FEED_SIZE = 50


class ShareFeed(Feed):
    feed_type = Atom1Feed

    def title(self, share: Share) -> str:
        return share.title

    def subtitle(self, share: Share) -> str:
        return share.description

    def author_name(self, share: Share) -> str:
        # One author for the whole feed: every entry is the share owner's (Atom's entries take the
        # feed's author when they have none). get_live_share loaded the owner with the share.
        return share.owner.get_full_name() or share.owner.get_username()

    def link(self, share: Share) -> str:
        return reverse("snapshots:share_page", args=[share.token])

    def feed_url(self, share: Share) -> str:
        return reverse("snapshots:share_feed", args=[share.token])

    def get_object(self, request: HttpRequest, token: str) -> Share:
        return access.get_live_share(token)

    def items(self, share: Share) -> list[LinkRow]:
        links = selectors.shared_link_list(share=share)[:FEED_SIZE]
        return link_rows(links, RowStyle(share=share, thumbnails=False))

    # Rows carry HTML-escaped text for pages; the feed writer escapes for XML itself, so the
    # entries take the link's own text.
    def item_title(self, row: LinkRow) -> str:
        return row.link.title or row.link.url

    def item_description(self, row: LinkRow) -> str:
        # Atom's summary is declared HTML, and the description is plain text taken from pages we
        # captured: escaped, a feed reader shows any markup in it as text instead of running it.
        marks = [_("saved from browser")] if row.from_browser else []
        if row.http_error is not None:
            marks.append(html.unescape(row.http_error.text))  # rows hold it escaped for pages
        prefix = "".join(f"[{mark}] " for mark in marks)
        return escape(f"{prefix}{row.link.description}".rstrip())

    def item_link(self, row: LinkRow) -> str:
        return str(row.detail_url) or row.link.url

    def item_guid(self, row: LinkRow) -> str:
        return f"link-{row.link.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, row: LinkRow) -> datetime:
        return row.link.created

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-cache"
        response["Referrer-Policy"] = "no-referrer"
        return response


share_feed = ShareFeed()
