"""The version pages: the text diff and the screenshots with their changed regions marked."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image, ImageDraw

from snapshots.archive import diffing
from tests.factories import make_link, make_snapshot

pytestmark = pytest.mark.django_db


def _screenshot(name: str, box: tuple[int, int, int, int] | None) -> str:
    image = Image.new("RGB", (400, 600), "white")
    ImageDraw.Draw(image).text((10, 10), "年度报告", fill="black")
    if box:
        ImageDraw.Draw(image).rectangle(box, fill=(200, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return default_storage.save(f"tests/versions/{name}.png", ContentFile(out.getvalue()))


def test_compare_page_and_marked_images_are_owner_only(owner_client, other_client, owner):
    link = make_link(owner, "https://example.com/r")
    old = make_snapshot(link, text="预算 10 亿元", artifacts={"screenshot": _screenshot("a", None)})
    new_shot = _screenshot("b", (50, 300, 150, 350))
    new = make_snapshot(link, text="预算 12 亿元\n<script>alert(1)</script>", artifacts={"screenshot": new_shot})
    page = owner_client.get(reverse("snapshots:version_compare", args=[link.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "预算 <mark>12</mark> 亿元" in html and "预算 <mark>10</mark> 亿元" in html
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
    link = make_link(owner, "https://example.com/one")
    make_snapshot(link, text="text")
    page = owner_client.get(reverse("snapshots:version_compare", args=[link.pk]))
    assert page.context["diff"] is None and len(page.context["versions"]) == 1


def test_compare_page_collapses_unchanged_stretches_and_lays_screenshots_over(owner_client, owner):
    link = make_link(owner, "https://example.com/long")
    lines = [f"第{i}段 paragraph {i}" for i in range(120)]
    make_snapshot(link, text="\n".join(lines), artifacts={"screenshot": _screenshot("c", None)})
    lines[60] = "第60段 changed paragraph 60"
    make_snapshot(link, text="\n".join(lines), artifacts={"screenshot": _screenshot("d", (10, 10, 50, 50))})
    html = owner_client.get(reverse("snapshots:version_compare", args=[link.pk])).content.decode()
    assert "<details><summary>… 57 unchanged lines …</summary>" in html
    assert "<details><summary>… 56 unchanged lines …</summary>" in html
    assert "<mark>changed </mark>" in html
    assert 'class="shot-compare"' in html and "js/compare.js" in html
    chinese = owner_client.get(
        reverse("snapshots:version_compare", args=[link.pk]), HTTP_ACCEPT_LANGUAGE="zh-CN"
    ).content.decode()
    assert "……省略 57 行未变的内容……" in chinese
