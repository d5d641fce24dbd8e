"""Versions: text diff, changed regions of screenshots, unchanged scheduled re-captures, the schedule."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from snapshots.archive import diffing, lifecycle, scheduling
from snapshots.links import services
from snapshots.models import Link, Snapshot
from tests.factories import make_link, make_snapshot

pytestmark = pytest.mark.django_db


def test_changed_boxes_find_the_changed_region():
    old = Image.new("RGB", (300, 300), "white")
    new = old.copy()
    ImageDraw.Draw(new).rectangle((100, 200, 139, 229), fill="black")
    (box,) = diffing.changed_boxes(old, new)
    assert box[0] <= 100 and box[1] <= 200 and box[2] >= 140 and box[3] >= 230
    assert box[2] - box[0] <= 40 + 2 * diffing.CELL
    assert diffing.changed_boxes(old, old.copy()) == []


def test_text_diff_as_data():
    diff = diffing.text_diff("第一行\n预算 10 亿元\n第三行", "第一行\n预算 12 亿元\n第三行\n新增<script>")
    kinds = [(line.kind, line.text) for line in diff.hunks[0]]
    assert ("delete", "预算 10 亿元") in kinds and ("insert", "预算 12 亿元") in kinds
    assert diff.added == 2 and diff.removed == 1


def _finish(snapshot: Snapshot, text: str) -> Snapshot | None:
    result = SimpleNamespace(
        ok=True, error="", artifacts={}, text=text, notes=[], final_url="https://example.com/s", http_status=200,
        content_type="text/html", title="页", description="", language="zh", charset="gbk", timings={},
    )
    return lifecycle.snapshot_finish(snapshot.pk, result)


def test_unchanged_scheduled_capture_only_records_last_checked(owner):
    link = make_link(owner, "https://example.com/s")
    first = make_snapshot(link, status=Snapshot.Status.QUEUED, trigger=Snapshot.Trigger.MANUAL)
    _finish(first, "同样的内容")
    scheduled = make_snapshot(link, status=Snapshot.Status.QUEUED, trigger=Snapshot.Trigger.SCHEDULE)
    kept = _finish(scheduled, "同样的内容")
    assert kept.pk == first.pk and kept.last_checked is not None
    assert list(link.snapshots.values_list("pk", flat=True)) == [first.pk]
    changed = make_snapshot(link, status=Snapshot.Status.QUEUED, trigger=Snapshot.Trigger.SCHEDULE)
    assert _finish(changed, "新的内容").pk == changed.pk
    asked = make_snapshot(link, status=Snapshot.Status.QUEUED, trigger=Snapshot.Trigger.MANUAL)
    assert _finish(asked, "新的内容").pk == asked.pk
    assert link.snapshots.count() == 3


def test_due_links_are_requested_on_schedule(owner):
    link = make_link(owner, "https://example.com/d")
    services.link_update(link=link, data={"recapture": "daily"})
    Link.objects.filter(pk=link.pk).update(next_capture_at=timezone.now() - timedelta(minutes=1))
    assert scheduling.recaptures_enqueue_due() == 1
    assert link.snapshots.get().trigger == Snapshot.Trigger.SCHEDULE
    link.refresh_from_db()
    assert link.next_capture_at > timezone.now() + timedelta(hours=23)
    assert scheduling.recaptures_enqueue_due() == 0
