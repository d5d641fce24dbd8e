"""What a capture stores: images, PDF, offline HTML, metadata, originals of PDF/image URLs."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace

import pypdfium2
from PIL import Image

from capture import browser, reasons
from capture.artifacts import pdf_without_print_time
from capture.engine import capture
from capture.reasons import Reason
from capture.results import CaptureConfig, CaptureLimits
from tests.pages.server import PAGES


def test_report_produces_every_artifact_with_metadata(pages, config):
    result = capture(pages.url("/report.html"), config)
    assert result.ok, result.error
    assert set(result.artifacts) >= {"screenshot", "thumbnail", "html", "dom", "pdf", "text", "favicon"}
    assert result.final_url == pages.url("/report.html")
    assert result.http_status == 200
    assert result.content_type == "text/html"
    assert result.description == "某市统计局发布2024年全市国民经济和社会发展主要指标及分项数据。"
    shot = Image.open(io.BytesIO(result.artifacts["screenshot"].data))
    assert shot.format == "JPEG" and shot.width == 1280 and shot.height > 2000
    thumb = Image.open(io.BytesIO(result.artifacts["thumbnail"].data))
    assert thumb.width == 400 and thumb.height <= 300
    assert result.artifacts["favicon"].data == (pages_file("favicon.png"))
    pdf = pypdfium2.PdfDocument(result.artifacts["pdf"].data)
    assert "12,345.67" in "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert result.artifacts["dom"].data.decode("utf-8-sig").startswith("<!DOCTYPE html>")


def pages_file(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def _offline_render(html: bytes, config: CaptureConfig) -> dict:
    """Open the saved file in the capture browser with the network switched off."""
    driver = browser.acquire(config).driver
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    try:
        driver.get("data:text/html;base64," + base64.b64encode(html).decode())
        driver.set_script_timeout(5)
        return driver.execute_async_script(
            "const done = arguments[0];"
            "const check = () => { const imgs = Array.from(document.images);"
            " if (document.readyState === 'complete' && imgs.every(i => i.complete)) done({"
            "  widths: imgs.map(i => i.naturalWidth), scripts: document.scripts.length,"
            "  bg: getComputedStyle(document.querySelector('.masthead') || document.body).backgroundImage.slice(0, 30),"
            "  text: document.body.innerText}); else setTimeout(check, 10); };"
            "check();"
        )
    finally:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                               {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        driver.execute_cdp_cmd("Network.disable", {})
        driver.get("about:blank")


def test_self_contained_html_renders_offline_with_images(pages, config):
    result = capture(pages.url("/report.html"), config)
    html = result.artifacts["html"].data.decode("utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)=["']?https?:""", html.replace('<a href="http', "<a x=")), "remote resource left"
    assert not re.search(r"url\(\s*['\"]?https?:", html)
    rendered = _offline_render(result.artifacts["html"].data, config)
    assert rendered["scripts"] == 0
    assert rendered["widths"] and all(w > 0 for w in rendered["widths"]), rendered
    assert rendered["bg"].startswith('url("data:image/png')
    assert "地区生产总值" in rendered["text"] and "4,321.09" in rendered["text"]


def test_self_contained_html_has_no_active_content(pages, config):
    result = capture(pages.url("/kitchen"), config)
    assert result.ok, result.error
    html = result.artifacts["html"].data.decode("utf-8")
    lowered = html.lower()
    assert "<script" not in lowered
    assert not re.search(r"\son[a-z]+\s*=", lowered), "event handler survived"
    assert "javascript:" not in lowered
    assert "<base" not in lowered and "<form>" in lowered and "action=" not in lowered  # kept for its styles
    assert lowered.count("<iframe") == lowered.count('<iframe sandbox="" srcdoc=')  # the page's srcdoc, rebuilt
    assert "refresh" not in lowered
    assert "example.invalid" not in lowered
    assert "正文内容" in html
    assert 'href="' + pages.url("/report.html") + '"' in html  # ordinary links stay clickable
    assert "data:image/svg+xml;base64," in html  # inline SVG kept as an image
    rendered = _offline_render(result.artifacts["html"].data, config)
    assert rendered["widths"] and all(w > 0 for w in rendered["widths"])


def test_title_of_3000_characters_is_cut_to_500(pages, config):
    result = capture(pages.url("/long-title"), config)
    assert result.ok
    assert len(result.title) == 500 and set(result.title) == {"长"}


def test_emoji_title_is_kept_whole(pages, config):
    result = capture(pages.url("/emoji-title"), config)
    assert result.title == "🎉 统计公报 👨‍👩‍👧 🇨🇳"


def test_pdf_url_is_stored_as_original_with_preview_and_text(pages, config):
    result = capture(pages.url("/doc.pdf"), config)
    assert result.ok, result.error
    assert result.content_type == "application/pdf"
    assert result.artifacts["original"].data == pages_file_bytes_of_route(pages, "/doc.pdf")
    assert "Annual statistics report 2024" in result.text and "GDP 12345.67" in result.text
    preview = Image.open(io.BytesIO(result.artifacts["screenshot"].data))
    assert preview.width > 500
    assert "thumbnail" in result.artifacts


def pages_file_bytes_of_route(pages, path: str) -> bytes:
    return pages.routes[path](None)[2]


def test_image_url_is_stored_as_original_with_preview(pages, config):
    result = capture(pages.url("/chart.png"), config)
    assert result.ok, result.error
    assert result.content_type == "image/png"
    assert result.artifacts["original"].data == pages_file("chart.png")
    assert Image.open(io.BytesIO(result.artifacts["screenshot"].data)).size == (480, 240)


def test_200000_px_page_screenshot_is_cut(pages, config):
    result = capture(pages.url("/tall"), config)
    assert result.ok, result.error
    assert Reason(reasons.SCREENSHOT_CUT, {"px": "15,000"}) in result.notes
    assert Image.open(io.BytesIO(result.artifacts["screenshot"].data)).height == 15_000
    assert len(pypdfium2.PdfDocument(result.artifacts["pdf"].data)) <= config.limits.max_pdf_pages


def test_pdf_page_cap(pages, config):
    limits = CaptureLimits(deadline=10, page_load_budget=4, max_pdf_pages=3)
    result = capture(pages.url("/tall"), replace(config, limits=limits))
    assert len(pypdfium2.PdfDocument(result.artifacts["pdf"].data)) == 3


def test_lazy_images_are_loaded_before_the_screenshot(pages, config):
    before = len([p for p in pages.requests if p.startswith("/chart.png")])
    result = capture(pages.url("/lazy"), config)
    assert result.ok, result.error
    dom = result.artifacts["dom"].data.decode("utf-8")
    assert 'id="scripted" class="lazy" data-src="/chart.png" width="480" height="240" src="/chart.png"' in dom
    assert len([p for p in pages.requests if p.startswith("/chart.png")]) > before
    html = result.artifacts["html"].data.decode("utf-8")
    assert html.count("data:image/png;base64,") >= 2


def test_the_print_time_leaves_a_pdf_so_an_unchanged_page_prints_the_same_bytes():
    def printed(at: bytes) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (60, 80), (250, 250, 240)).save(buffer, "PDF")
        return re.sub(rb"\(D:\d{14}", b"(D:" + at, buffer.getvalue())

    morning, evening = printed(b"20261130080000"), printed(b"20261130203015")
    assert morning != evening
    assert pdf_without_print_time(morning) == pdf_without_print_time(evening)
    fixed = pdf_without_print_time(evening)
    assert len(fixed) == len(evening)  # the cross-reference offsets still hold
    assert b"/CreationDate (D:19700101000000" in fixed and b"20261130" not in fixed
    assert len(pypdfium2.PdfDocument(fixed)) == 1

    tagged = b"/ID (node00000227)>> /Headers [(node00000228)] /Names [(node00000227) 26 0 R (node00000228) 28 0 R]"
    later = tagged.replace(b"00000227", b"00001305").replace(b"00000228", b"00001306")
    assert pdf_without_print_time(tagged) == pdf_without_print_time(later)
    assert pdf_without_print_time(later) == tagged.replace(b"00000227", b"00000001").replace(b"00000228", b"00000002")
