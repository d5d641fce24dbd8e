"""Downloadable markup (the DOM, SVG favicons and SVG originals) is stored inert: opened from
disk, where no sandbox header protects it, it runs nothing."""

from __future__ import annotations

import lxml.html
import pytest
from lxml import etree

from capture.artifacts import INERT_CSP, INERT_MARK, inert_dom, inert_svg
from capture.engine import capture
from snapshots.storage import serving
from tests.support.browser import chromium

HTML = {"Content-Type": "text/html; charset=utf-8"}
SVG = {"Content-Type": "image/svg+xml"}
# Every way of running script when the file is opened from disk marks the document.
RUN_FROM_DISK = "if (location.protocol === 'file:') document.documentElement.setAttribute('data-ran', 'yes')"
ACTIVE_PAGE = (
    "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='gbk'><title>活页</title>"
    "<base target='_blank'><meta http-equiv='refresh' content='3600;url=javascript:console.log(1)'>"
    f"<script>{RUN_FROM_DISK}</script><link rel='icon' href='/active/icon.svg'></head>"
    f"<body onload=\"{RUN_FROM_DISK}\"><p>正文内容</p>"
    f"<img src='data:,' onerror=\"{RUN_FROM_DISK}\"><a href=' JaVa\tScRiPt:console.log(1)'>链接</a>"
    "<iframe srcdoc='<script>parent.console.log(1)</script>'></iframe><object data='x.swf'></object><embed src='x.swf'>"
    "<noscript><p title='</noscript><img src=x onerror=console.log(1)>'>无脚本</p></noscript>"
    f"<svg><script>{RUN_FROM_DISK}</script><a xlink:href='javascript:console.log(1)'><text>图</text></a>"
    "<set attributeName='href' to='javascript:console.log(1)'/></svg>"
    "<form action='javascript:console.log(1)'><button formaction='javascript:console.log(1)'>送</button></form>"
    "</body></html>"
)
ACTIVE_SVG = (
    "<?xml version='1.0'?>"
    f"<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' onload=\"{RUN_FROM_DISK}\">"
    f"<script>{RUN_FROM_DISK}</script><circle r='5' fill='red'/><text>图标</text>"
    "<a xlink:href='javascript:console.log(1)'><rect width='4' height='4'/></a><image href='https://tracker.example/p.png'/>"
    "<animate attributeName='href' values='javascript:console.log(1)'/>"
    "<foreignObject><body xmlns='http://www.w3.org/1999/xhtml'><script>console.log(1)</script></body></foreignObject>"
    "<use href='#c'/></svg>"
)


def _active_parts(root) -> list[str]:
    """Everything in a parsed tree that could run script."""
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in ("script", "object", "embed", "base", "foreignobject", "set", "animate"):
            found.append(tag)
        for name, value in element.attrib.items():
            plain = "".join(value.split()).lower()
            if name.rsplit("}", 1)[-1].lower().startswith("on") or name.lower() == "srcdoc" or "javascript:" in plain:
                found.append(f"{tag}@{name}")
    return found


def test_serving_knows_the_engines_mark_for_inert_files():
    assert serving.INERT_MARK == INERT_MARK  # spelled out there: web processes never load the engine


def test_dom_keeps_the_page_and_loses_everything_that_runs():
    artifact = inert_dom(ACTIVE_PAGE)
    assert artifact.filename == "dom.inert.html" and artifact.content_type == "text/html; charset=utf-8"
    assert artifact.data.startswith(b"\xef\xbb\xbf<!DOCTYPE html>")
    root = lxml.html.document_fromstring(artifact.data.decode("utf-8-sig"))
    assert _active_parts(root) == []
    head = root.find("head")
    assert (head[0].get("http-equiv"), head[0].get("content")) == ("Content-Security-Policy", INERT_CSP)
    assert "script-src 'none'" in INERT_CSP
    assert [m.get("charset") for m in root.iter("meta") if m.get("charset")] == ["utf-8"]
    assert not [m for m in root.iter("meta") if m.get("http-equiv", "").lower() == "refresh"]
    assert "正文内容" in root.text_content() and root.find(".//title").text == "活页"


def test_svg_loses_script_handlers_foreign_content_and_outside_references():
    data = inert_svg(ACTIVE_SVG.encode())
    root = etree.fromstring(data)
    assert _active_parts(root) == []
    assert b"tracker.example" not in data  # opened from disk it may point only inside itself
    assert root.find("{http://www.w3.org/2000/svg}circle") is not None
    assert root.find("{http://www.w3.org/2000/svg}use").get("href") == "#c"


def test_svg_entities_are_never_expanded():
    laughs = (
        "<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
        "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY local SYSTEM 'file:///etc/passwd'>]>"
        "<svg xmlns='http://www.w3.org/2000/svg'><text>&c;&local;</text></svg>"
    )
    data = inert_svg(laughs.encode())
    assert b"aaaaaaaaaa" not in data and b"root:" not in data and b"ENTITY" not in data
    assert etree.fromstring(data).find("{http://www.w3.org/2000/svg}text") is not None


@pytest.mark.parametrize("data", [b"<html><body>not svg</body></html>", b"\x89PNG\r\n", b""])
def test_what_is_not_svg_is_not_kept(data):
    assert inert_svg(data) is None


@pytest.fixture
def active_pages(pages):
    pages.routes["/active"] = lambda _h: (200, {"Content-Type": "text/html"}, ACTIVE_PAGE.encode("gbk"))
    pages.routes["/active/icon.svg"] = lambda _h: (200, SVG, ACTIVE_SVG.encode())
    return pages


def test_captured_dom_favicon_and_original_are_stored_inert(active_pages, config):
    result = capture(active_pages.url("/active"), config)
    assert result.ok, result.error
    dom, icon = result.artifacts["dom"], result.artifacts["favicon"]
    assert (dom.filename, icon.filename, icon.content_type) == ("dom.inert.html", "favicon.inert.svg", "image/svg+xml")
    assert _active_parts(lxml.html.document_fromstring(dom.data.decode("utf-8-sig"))) == []
    assert "正文内容" in dom.data.decode("utf-8-sig")  # a GBK page, stored and declared as UTF-8
    assert _active_parts(etree.fromstring(icon.data)) == []
    original = capture(active_pages.url("/active/icon.svg"), config)
    assert original.ok, original.error
    assert original.artifacts["original"].filename == "original.inert.svg"
    assert _active_parts(etree.fromstring(original.artifacts["original"].data)) == []


def test_inert_files_run_nothing_when_opened_from_disk(tmp_path):
    files = {
        "raw.html": ACTIVE_PAGE.replace("charset='gbk'", "charset='utf-8'").encode(),
        "inert.html": inert_dom(ACTIVE_PAGE).data,
        "raw.svg": ACTIVE_SVG.encode(),
        "inert.svg": inert_svg(ACTIVE_SVG.encode()),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    ran = {}
    with chromium() as driver:
        for name in files:
            driver.get((tmp_path / name).as_uri())
            ran[name] = driver.execute_script("return document.documentElement.getAttribute('data-ran')")
    assert ran == {"raw.html": "yes", "inert.html": None, "raw.svg": "yes", "inert.svg": None}
