"""Atom feed of a shared collection, so readers can follow it without an account."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from snapshots import access
from snapshots.links import selectors
from snapshots.models import Link, Share

FEED_SIZE = 50


class ShareFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, token: str) -> Share:
        return access.get_live_share(token)

    def title(self, share: Share) -> str:
        return share.title

    def subtitle(self, share: Share) -> str:
        return share.description

    def link(self, share: Share) -> str:
        return reverse("snapshots:share_page", args=[share.token])

    def feed_url(self, share: Share) -> str:
        return reverse("snapshots:share_feed", args=[share.token])

    def items(self, share: Share) -> list[Link]:
        links = list(selectors.shared_link_list(share=share)[:FEED_SIZE])
        for link in links:
            link.share_token = share.token
        return links

    def item_title(self, link: Link) -> str:
        return link.title or link.url

    def item_description(self, link: Link) -> str:
        return link.description

    def item_link(self, link: Link) -> str:
        if link.shown:
            return reverse("snapshots:share_snapshot", args=[link.share_token, link.shown[0].pk])
        return link.url

    def item_guid(self, link: Link) -> str:
        return f"link-{link.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, link: Link):
        return link.created

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-cache"
        response["Referrer-Policy"] = "no-referrer"
        return response


share_feed = ShareFeed()
