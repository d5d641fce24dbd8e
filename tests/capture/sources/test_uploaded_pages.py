"""A page the reader saved in their own browser, rendered by the engine: scripts off, and every
subresource it still names fetched through the filtering proxy, which refuses forbidden addresses.

The `nothing_reaches_forbidden` fixture (conftest) checks after each test that the forbidden
server accepted zero connections.
"""

from __future__ import annotations

from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

from capture import browser, reasons
from capture.engine import capture
from capture.reasons import Reason
from capture.sources.upload import UploadedPage

CHART = (Path(__file__).resolve().parents[2] / "pages" / "chart.png").read_bytes()


def hostile_page(pages, forbidden) -> bytes:
    """Scripts, handlers, nested frames and every kind of reference to the forbidden server."""
    bad = forbidden.origin
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>会员文章</title>
<base href="{bad}/base/">
<meta http-equiv="refresh" content="0; url={bad}/refresh">
<link rel="stylesheet" href="{bad}/style.css">
<style>@font-face {{ font-family: evil; src: url('{bad}/f.woff2'); }} body {{ font-family: evil; }}
@import url('{bad}/import.css');</style>
<script>document.title = 'HACKED'; fetch('{bad}/fetch');</script></head>
<body onload="fetch('{bad}/onload')">
<h1>只有会员能看到的文章</h1><p id="body">正文：2025年财政预算执行情况。</p>
<img src="{pages.url('/chart.png')}" alt="图表">
<img src="{bad}/img"><img src="http://localhost:{forbidden.port}/img2"><img src="http://2130706433:{forbidden.port}/img3">
<div style="background:url('{bad}/bg.png');height:20px">背景</div>
<iframe src="{bad}/frame"></iframe>
<iframe srcdoc="<p>嵌套</p><iframe src='{bad}/nested'></iframe>
  <script>parent.document.body.append('HACKED')</script>"></iframe>
<object data="{bad}/object"></object><embed src="{bad}/embed">
<svg><image href="{bad}/svg.png"/></svg>
<script>document.getElementById('body').textContent = 'HACKED';</script>
<a href="javascript:fetch('{bad}/js')">链接</a>
</body></html>""".encode()


def test_hostile_upload_renders_with_scripts_off_and_reaches_nothing_forbidden(pages, forbidden, config):
    url = pages.url("/members/article")
    before = len(pages.requests)
    result = capture(url, config, UploadedPage(hostile_page(pages, forbidden)))
    assert result.ok, result.error
    assert result.final_url == url and result.title == "会员文章"
    assert "只有会员能看到的文章" in result.text and "2025年财政预算执行情况" in result.text
    assert "HACKED" not in result.text and "嵌套" not in result.text
    for kind in ("screenshot", "thumbnail", "pdf", "text", "html", "dom"):
        assert kind in result.artifacts, kind
    dom = result.artifacts["dom"].data.decode("utf-8-sig").lower()
    assert "<script" not in dom and "<iframe" not in dom and "onload" not in dom
    # What the page names on an allowed server was fetched through the proxy; what it names on the
    # forbidden one never left it (the fixture checks the server saw nothing).
    assert "/chart.png" in pages.requests[before:]
    # The references left after disarming (a stylesheet, images, a background, a font) did go
    # out, to the proxy, which refused them: the guard, not luck, kept the server untouched.
    blocked = [n for n in result.notes if n.code == reasons.REQUESTS_BLOCKED]
    assert blocked and int(blocked[0].params["count"]) >= 5, result.notes
    assert any(d.port == forbidden.port for d in browser.current().proxy.destinations())
    # The page's own address was never loaded: the upload stood in for it.
    assert "/members/article" not in pages.requests[before:]


def test_mhtml_upload_is_parsed_in_python_and_rendered_from_its_parts(pages, config):
    url = "http://127.0.0.1:1/never-fetched/report.html"  # a refused address: only the archive is used
    archive = MIMEMultipart("related", type="text/html")
    page = MIMEText(
        "<html><head><title>GBK 报告</title></head><body><h1>统计公报</h1>"
        "<p>粮食产量 70650 万吨</p><img src='chart.png'></body></html>",
        "html",
        "gb18030",
    )
    page["Content-Location"] = "http://stats.example.cn/report.html"
    image = MIMEImage(CHART, "png")
    image["Content-Location"] = "http://stats.example.cn/chart.png"
    archive.attach(page)
    archive.attach(image)
    allowed = pages.url("/members/report")
    result = capture(allowed, config, UploadedPage(archive.as_bytes(), "mhtml"))
    assert result.ok, result.error
    assert "粮食产量 70650 万吨" in result.text and result.title == "GBK 报告"
    assert b"data:image/png;base64," in result.artifacts["html"].data  # the image came from the archive
    assert "/members/report" not in pages.requests and url not in pages.requests


def test_gbk_html_upload_is_read_in_its_own_encoding(pages, config):
    data = "<html><head><meta charset='gbk'><title>预算</title></head><body><p>一般公共预算收入</p></body></html>"
    result = capture(pages.url("/members/gbk"), config, UploadedPage(data.encode("gbk")))
    assert result.ok, result.error
    assert "一般公共预算收入" in result.text and result.title == "预算"


def test_upload_without_a_page_fails_with_a_reason(pages, config):
    result = capture(pages.url("/members/empty"), config, UploadedPage(b"MIME-Version: 1.0\r\n\r\nnothing", "mhtml"))
    assert (result.ok, result.error) == (False, Reason(reasons.UPLOAD_UNREADABLE))


def test_utf16_upload_is_read_by_its_byte_order_mark(pages, config):
    data = "\ufeff<html><head><title>公报</title></head><body><p>国内生产总值</p></body></html>".encode("utf-16-le")
    result = capture(pages.url("/members/utf16"), config, UploadedPage(data))
    assert result.ok, result.error
    assert "国内生产总值" in result.text and result.title == "公报"
