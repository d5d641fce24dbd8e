"""A shared collection to start from: the owner's links tagged 报告, one with a private note."""

from __future__ import annotations

import pytest

from snapshots.models import Link, Share
from snapshots.sharing import shares
from tests.sharing.fabricate import shared_link


@pytest.fixture
def report_links(owner) -> list[Link]:
    return [
        shared_link(owner, "https://stats.example.cn/2025", title="2025年统计公报", notes="私人笔记：不要公开"),
        shared_link(owner, "https://gov.example.cn/budget", title="预算报告"),
    ]


@pytest.fixture
def share(owner, report_links) -> Share:
    return shares.share_create(owner=owner, tag="报告", title="政府报告合集", description="公开的报告")
