"""A shared collection to start from (the owner's links tagged 报告, one with a private note), and
the suite's Redis with the capture queues emptied."""

from __future__ import annotations

import pytest
import redis

from snapshots import queues
from snapshots.models import Link, Share
from tests.factories import make_link, make_share


@pytest.fixture
def report_links(owner) -> list[Link]:
    return [
        make_link(
            owner, "https://stats.example.cn/2025", tags=("报告",), title="2025年统计公报", notes="私人笔记：不要公开",
            stored=True,
        ),
        make_link(owner, "https://gov.example.cn/budget", tags=("报告",), title="预算报告", stored=True),
    ]


@pytest.fixture
def share(owner, report_links) -> Share:
    return make_share(owner, description="公开的报告")


@pytest.fixture
def broker(settings):
    """The suite's Redis, its capture and bulk queues empty before and after the test."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(queues.CAPTURE_QUEUE, queues.BULK_QUEUE)
    yield client
    client.delete(queues.CAPTURE_QUEUE, queues.BULK_QUEUE)
