"""Publishing a tag as a shared collection: tokens, and what a share needs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from snapshots.sharing import shares

pytestmark = pytest.mark.django_db


def test_token_is_long_random_and_unique(owner, report_links):
    tokens = {shares.share_create(owner=owner, tag="报告", title=f"t{i}").token for i in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 24 random bytes = 192 bits


def test_share_needs_a_tag_the_owner_uses_and_a_title(owner, other, report_links):
    with pytest.raises(ValidationError) as info:
        shares.share_create(owner=other, tag="报告", title="not theirs")
    assert "tag" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        shares.share_create(owner=owner, tag="报告", title="  ")
    assert "title" in info.value.message_dict
    with pytest.raises(ValidationError):
        shares.share_create(owner=owner, tag="报告", title="x", expires=timezone.now() - timedelta(minutes=1))
