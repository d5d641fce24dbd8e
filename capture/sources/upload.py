"""A page the reader saved in their own browser, made ready to be rendered by the capture browser.

An upload is attacker-authored markup. It is never opened as a file (an MHTML file opened from
disk is a whole archive the browser would trust): MHTML is parsed here with the email package
and its parts inlined as data: URIs, HTML is decoded here. Then, before Chromium sees it:

- scripts, plugins, frames, `<base>`, meta refreshes, `on*` handlers and script URLs are removed
  (the same disarming the stored DOM gets), and a Content-Security-Policy that forbids script,
  frames and workers leads its head;
- every link is made absolute against the saved URL, so what the page still names (a stylesheet,
  an image) is fetched by the capture browser through the filtering proxy, with the network
  guard's rules and none of the reader's cookies (the capture browser never has them).

The document is put into a blank tab with `Page.setDocumentContent` while the page's scripts are
disabled, and the engine then takes its artifacts exactly as it does for a live page.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from capture.artifacts import INERT_CSP, _disarm
from capture.offline.mhtml import restructure
from capture.offline.resources import Resources

HTML = "html"
MHTML = "mhtml"
FORMATS = (HTML, MHTML)
_FRAMES = ("iframe", "frame", "frameset", "portal", "fencedframe")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


class UnreadableUpload(ValueError):
    """The upload holds no HTML document the engine can render."""


@dataclass(frozen=True)
class UploadedPage:
    """The bytes the reader sent, and which of FORMATS they are."""

    data: bytes
    format: str = HTML


def _codec(label: str) -> str:
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return ""
    return "gb18030" if name in ("gbk", "gb2312") else name  # GB18030 is GBK's superset


def decode_html(data: bytes) -> str:
    """The text of an HTML file: its byte order mark, else its meta charset, else UTF-8, else GB18030."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, errors="replace")
    declared = _META_CHARSET.search(data[:4096])
    codec = _codec(declared.group(1).decode("ascii")) if declared else ""
    if codec and codec not in ("utf-16-le", "utf-16-be", "utf-16"):  # a meta cannot be read in UTF-16 bytes
        return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _from_mhtml(data: bytes) -> tuple[str, str]:
    """The root HTML of an MHTML archive with its parts inlined, and the URL it was saved from."""
    resources = Resources(data)
    if not resources.root_html.strip():
        raise UnreadableUpload("the MHTML archive holds no HTML part")
    document = lxml.html.document_fromstring(resources.root_html)
    head_styles = restructure(document, resources, resources.root_url)
    head = document.find("head")
    if head is None:
        head = lxml.html.Element("head")
        document.insert(0, head)
    for style in head_styles:
        head.append(lxml.html.fragment_fromstring(style))
    return etree.tostring(document, method="html", encoding="unicode"), resources.root_url


def document_html(page: UploadedPage, url: str) -> str:
    """The upload as one inert HTML document whose links point where they pointed when it was saved."""
    if page.format not in FORMATS:
        raise UnreadableUpload(f"unknown upload format {page.format!r}")
    if page.format == MHTML:
        text, _saved_from = _from_mhtml(page.data)
    else:
        text = decode_html(page.data)
    if not text.strip():
        raise UnreadableUpload("the upload is empty")
    try:
        document = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableUpload("the upload is not HTML") from exc
    document.make_links_absolute(url, resolve_base_href=True, handle_failures="discard")
    for frame in list(document.iter(*_FRAMES)):
        if frame.getparent() is not None:
            frame.drop_tree()
    _disarm(document, svg=False)
    head = document.find("head")
    if head is None:
        head = lxml.html.Element("head")
        document.insert(0, head)
    for meta in head.findall("meta"):
        if meta.get("charset") is not None or (meta.get("http-equiv") or "").strip().lower() == "content-type":
            head.remove(meta)
    head.insert(0, lxml.html.Element("meta", {"charset": "utf-8"}))
    head.insert(0, lxml.html.Element("meta", {"http-equiv": "Content-Security-Policy", "content": INERT_CSP}))
    return "<!DOCTYPE html>\n" + etree.tostring(document, method="html", encoding="unicode")


def show(driver, html: str, top_frame: str) -> None:
    """Put `html` into the tab (its top frame's id, `top_frame`) as its document, with the page's
    own scripts disabled first.

    The tab is blank (about:blank, which loads nothing) when the document goes in, so nothing of
    the saved site's origin is involved: the page has no cookies and no storage to read.
    """
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    driver.execute_cdp_cmd("Page.navigate", {"url": "about:blank"})
    driver.execute_cdp_cmd("Page.setDocumentContent", {"frameId": top_frame, "html": html})
