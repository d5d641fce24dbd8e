"""Versions: text diff, screenshots with changed regions, unchanged scheduled re-captures."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from snapshots.archive import diffing, lifecycle, scheduling
from snapshots.links import services
from snapshots.models import Link, Snapshot

pytestmark = pytest.mark.django_db


def _screenshot(name: str, box: tuple[int, int, int, int] | None) -> str:
    image = Image.new("RGB", (400, 600), "white")
    ImageDraw.Draw(image).text((10, 10), "年度报告", fill="black")
    if box:
        ImageDraw.Draw(image).rectangle(box, fill=(200, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return default_storage.save(f"tests/versions/{name}.png", ContentFile(out.getvalue()))


def _version(link: Link, text: str, shot: str | None = None, **fields) -> Snapshot:
    return Snapshot.objects.create(
        link=link, status=Snapshot.Status.SUCCEEDED, text=text, finished=timezone.now(),
        artifacts={"screenshot": shot} if shot else {}, **fields,
    )


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


def test_compare_page_and_marked_images_are_owner_only(owner_client, other_client, owner):
    link = services.link_create(owner=owner, url="https://example.com/r", capture=False)
    old = _version(link, "预算 10 亿元", _screenshot("a", None))
    new = _version(link, "预算 12 亿元\n<script>alert(1)</script>", _screenshot("b", (50, 300, 150, 350)))
    page = owner_client.get(reverse("snapshots:version_compare", args=[link.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "预算 12 亿元" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    url = reverse("snapshots:version_image", args=[link.pk, old.pk, new.pk, "new"])
    assert url in html
    response = owner_client.get(url)
    assert response["Content-Type"] == "image/webp"
    marked = Image.open(io.BytesIO(response.content)).convert("RGB")
    assert marked.size == (400, 600)
    (box,) = diffing.changed_boxes(*(diffing._load(s.artifacts["screenshot"]) for s in (old, new)))
    edge = (box[0] + 1, (box[1] + box[3]) // 2)  # on the outline, left side
    green = marked.getpixel(edge)
    assert green[1] > 100 and green[0] < 100
    # The other side reuses the boxes the first request found (cached for the pair).
    old_side = owner_client.get(url.replace("/new.webp", "/old.webp"))
    red = Image.open(io.BytesIO(old_side.content)).convert("RGB").getpixel(edge)
    assert red[0] > 150 and red[1] < 100
    assert other_client.get(url).status_code == 404
    assert other_client.get(reverse("snapshots:version_compare", args=[link.pk])).status_code == 404


def test_single_version_page_explains(owner_client, owner):
    link = services.link_create(owner=owner, url="https://example.com/one", capture=False)
    _version(link, "text")
    page = owner_client.get(reverse("snapshots:version_compare", args=[link.pk]))
    assert page.context["diff"] is None and len(page.context["versions"]) == 1


def _finish(snapshot: Snapshot, text: str) -> Snapshot | None:
    result = SimpleNamespace(
        ok=True, error="", artifacts={}, text=text, notes=[], final_url="https://example.com/s", http_status=200,
        content_type="text/html", title="页", description="", language="zh", charset="gbk", timings={},
    )
    return lifecycle.snapshot_finish(snapshot.pk, result)


def test_unchanged_scheduled_capture_only_records_last_checked(owner):
    link = services.link_create(owner=owner, url="https://example.com/s", capture=False)
    first = Snapshot.objects.create(link=link, trigger=Snapshot.Trigger.MANUAL)
    _finish(first, "同样的内容")
    scheduled = Snapshot.objects.create(link=link, trigger=Snapshot.Trigger.SCHEDULE)
    kept = _finish(scheduled, "同样的内容")
    assert kept.pk == first.pk and kept.last_checked is not None
    assert list(link.snapshots.values_list("pk", flat=True)) == [first.pk]
    changed = Snapshot.objects.create(link=link, trigger=Snapshot.Trigger.SCHEDULE)
    assert _finish(changed, "新的内容").pk == changed.pk
    asked = Snapshot.objects.create(link=link, trigger=Snapshot.Trigger.MANUAL)
    assert _finish(asked, "新的内容").pk == asked.pk
    assert link.snapshots.count() == 3


def test_due_links_are_requested_on_schedule(owner):
    link = services.link_create(owner=owner, url="https://example.com/d", capture=False)
    services.link_update(link=link, data={"recapture": "daily"})
    Link.objects.filter(pk=link.pk).update(next_capture_at=timezone.now() - timedelta(minutes=1))
    assert scheduling.recaptures_enqueue_due() == 1
    assert link.snapshots.get().trigger == Snapshot.Trigger.SCHEDULE
    link.refresh_from_db()
    assert link.next_capture_at > timezone.now() + timedelta(hours=23)
    assert scheduling.recaptures_enqueue_due() == 0
