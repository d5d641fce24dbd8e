"""Test data builders: plain functions that make rows for the tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from taggit.models import Tag

from accounts.models import User
from snapshots.models import Link, Snapshot, TaggedLink


def make_links(
    owner: User, count: int, *, tags: tuple[str, ...] = ("政府", "报告"), start: int = 0
) -> list[Link]:
    """Bulk-create `count` links, each with the given tags and one finished snapshot.

    Going around the services keeps a 200-link fixture fast; the services have their own tests.
    """
    now = timezone.now()
    links = Link.objects.bulk_create(
        Link(
            owner=owner,
            url=f"https://example.com/{owner.username}/{i}",
            title=f"报告 {i}",
            created=now - timedelta(minutes=i),
        )
        for i in range(start, start + count)
    )
    tag_rows = [Tag.objects.get_or_create(name=name, defaults={"slug": f"t-{name}"})[0] for name in tags]
    TaggedLink.objects.bulk_create(TaggedLink(content_object=link, tag=tag) for link in links for tag in tag_rows)
    Snapshot.objects.bulk_create(
        Snapshot(link=link, status=Snapshot.Status.SUCCEEDED, artifacts={"thumbnail": "t.webp"}) for link in links
    )
    return links

