"""Turning what Chromium hands over into stored artifacts: images, PDF, previews.

Chromium encodes the screenshot as JPEG (its fastest encoder, about half the time of PNG on a
tall page); Pillow then re-encodes it as WebP for compact storage and cuts the thumbnail from
the same decoded image, on a worker thread while Chromium is busy printing the PDF.
"""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass

import pypdfium2
from PIL import Image

from capture.results import Artifact

logger = logging.getLogger(__name__)

WEBP_QUALITY = 80
WEBP_METHOD = 0  # libwebp's fastest; 4 (the default) is twice as slow for ~8% smaller files
THUMBNAIL_WIDTH = 400
THUMBNAIL_ASPECT = 0.75  # height / width of the top-of-page crop
MAX_PREVIEW_PIXELS = 40_000_000  # a hostile image must not decompress into gigabytes


@dataclass
class ScreenshotPlan:
    width: int
    height: int
    cut: bool


def plan_screenshot(
    content_width: float, content_height: float, viewport_width: int, max_height: int
) -> ScreenshotPlan:
    """Clip of the full page, capped so a 200,000 px page renders at most `max_height` px."""
    height = max(1, int(content_height))
    return ScreenshotPlan(
        width=max(1, min(int(content_width) or viewport_width, viewport_width)),
        height=min(height, max_height),
        cut=height > max_height,
    )


def capture_screenshot(driver, plan: ScreenshotPlan) -> bytes:
    """The top `plan.height` px of the page, rendered by growing the viewport to exactly that.

    `captureBeyondViewport` lays out and paints far more than the clip on very long pages
    (over 100 s for a 20 MB text page here); a viewport of the clip's size costs one relayout.
    """
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": plan.width, "height": plan.height, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        reply = driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "jpeg",
                "quality": 92,
                "optimizeForSpeed": True,
                "clip": {"x": 0, "y": 0, "width": plan.width, "height": plan.height, "scale": 1},
            },
        )
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return base64.b64decode(reply["data"])


def _webp(image: Image.Image, quality: int = WEBP_QUALITY) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=quality, method=WEBP_METHOD)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    crop_height = min(image.height, int(image.width * THUMBNAIL_ASPECT))
    top = image.crop((0, 0, image.width, crop_height))
    height = max(1, round(crop_height * THUMBNAIL_WIDTH / max(1, image.width)))
    top = top.resize((THUMBNAIL_WIDTH, height), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return _webp(top, quality=75)


def image_artifacts(raw: bytes) -> dict[str, Artifact]:
    """Screenshot (WebP) and thumbnail (WebP) from an encoded image of the page."""
    with Image.open(io.BytesIO(raw)) as opened:
        image = opened.convert("RGB")
    return {
        "screenshot": Artifact(_webp(image), "screenshot.webp", "image/webp"),
        "thumbnail": Artifact(_thumbnail(image), "thumbnail.webp", "image/webp"),
    }


def print_pdf(driver, max_pages: int) -> bytes:
    reply = driver.execute_cdp_cmd(
        "Page.printToPDF",
        {"printBackground": True, "pageRanges": f"1-{max_pages}", "preferCSSPageSize": False},
    )
    return base64.b64decode(reply["data"])


def pdf_preview(data: bytes, max_pages: int) -> tuple[dict[str, Artifact], str]:
    """First page rendered as screenshot + thumbnail, and the text of up to `max_pages` pages."""
    document = pypdfium2.PdfDocument(data)
    try:
        page = document[0]
        scale = min(2.0, 1280 / max(1.0, page.get_width()))
        bitmap = page.render(scale=scale)
        image = bitmap.to_pil().convert("RGB")
        texts = []
        for index in range(min(len(document), max_pages)):
            text_page = document[index].get_textpage()
            texts.append(text_page.get_text_range())
        text = "\n".join(texts).replace("\r\n", "\n")
    finally:
        document.close()
    return _from_image(image), text


def image_preview(data: bytes) -> dict[str, Artifact]:
    """Screenshot + thumbnail of a URL that is itself an image."""
    with Image.open(io.BytesIO(data)) as opened:
        if opened.width * opened.height > MAX_PREVIEW_PIXELS:
            raise ValueError(f"image too large to preview ({opened.width}x{opened.height})")
        opened.seek(0)
        image = opened.convert("RGB")
    return _from_image(image)


def _from_image(image: Image.Image) -> dict[str, Artifact]:
    if image.height > 16_000 or image.width > 16_000:
        image.thumbnail((16_000, 16_000))
    return {
        "screenshot": Artifact(_webp(image), "screenshot.webp", "image/webp"),
        "thumbnail": Artifact(_thumbnail(image), "thumbnail.webp", "image/webp"),
    }
