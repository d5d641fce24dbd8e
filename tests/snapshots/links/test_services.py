"""The link write paths: duplicates point to the existing link, tag renames stay with their owner."""

import pytest

from snapshots.links import services
from tests.factories import make_link

pytestmark = pytest.mark.django_db


def test_duplicate_url_points_to_existing(owner):
    first = services.link_create(owner=owner, url="https://example.com/a", capture=False)
    with pytest.raises(services.LinkExists) as info:
        services.link_create(owner=owner, url="HTTPS://EXAMPLE.com:443/a", capture=False)
    assert info.value.existing == first


def test_tag_rename_is_scoped_to_owner(owner, other):
    mine = make_link(owner, "https://example.com/1", tags=["旧"])
    theirs = make_link(other, "https://example.com/1", tags=["旧"])
    assert services.tag_rename(owner=owner, old="旧", new="新") == 1
    assert mine.tags.names()[0] == "新"
    assert list(theirs.tags.names()) == ["旧"]
