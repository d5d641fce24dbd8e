"""Turning what Chromium hands over into stored artifacts: images, PDF, previews, inert markup.

Chromium encodes the screenshot as JPEG (its fastest encoder, about half the time of PNG on a
tall page) and that JPEG is what is stored. Re-encoding it as WebP would halve its bytes but
cost more CPU than any other step of a capture (a full decode, then libwebp's encoder: 150-300 ms
a page, against 5-10 ms for Chromium's JPEG), which every capture on a busy machine pays in
throughput. The thumbnail is cut from a half-scale decode (JPEG decodes at 1/2 scale directly,
a quarter of the pixels to rebuild) on a worker thread while Chromium prints the PDF.

The rendered DOM and SVG files (favicons, originals of SVG links) are downloadable, and a file
opened from disk runs its scripts with none of the site's sandbox headers around it. So they are
stored inert: scripts, plugins, on* handlers and javascript: URLs removed by a real parser, and
the DOM opens with a Content-Security-Policy that forbids script, the second lock should a
parser difference let something through. This happens once, here, on a worker thread within
the capture deadline, rather than on every download in the web process; every way a file
leaves the site then hands out the same inert bytes. Their file names say `inert`, which is how
serving tells them from files stored before this was done.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from dataclasses import dataclass

import pypdfium2
from lxml import etree
from PIL import Image

from capture.results import Artifact

logger = logging.getLogger(__name__)

SCREENSHOT_QUALITY = 90  # JPEG: text stays crisp; 92 adds ~10% bytes for no visible gain
WEBP_QUALITY = 80  # previews rendered by us (PDF pages, image links) and thumbnails
WEBP_METHOD = 0  # libwebp's fastest; 4 (the default) is twice as slow for ~8% smaller files
THUMBNAIL_WIDTH = 400
THUMBNAIL_ASPECT = 0.75  # height / width of the top-of-page crop
MAX_PREVIEW_PIXELS = 40_000_000  # a hostile image must not decompress into gigabytes
INERT_CSP = "script-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; base-uri 'none'; " \
            "form-action 'none'"
INERT_MARK = ".inert"  # in the file name of a stored DOM or SVG made inert
UTF8_BOM = b"\xef\xbb\xbf"
_ACTIVE_TAGS = {"script", "noscript", "object", "embed", "applet", "base", "portal", "handler", "listener",
                "foreignobject"}
_ANIMATIONS = {"set", "animate", "animatemotion", "animatetransform"}
# lxml's "{*}" matches any namespace or none; HTML names arrive lower-case, SVG ones as written.
_ACTIVE_TAG_FILTER = tuple(
    f"{{*}}{name}" for name in sorted({*_ACTIVE_TAGS, *_ANIMATIONS, "meta", "foreignObject", "animateMotion",
                                        "animateTransform"})
)
_ACTIVE_URL = re.compile(r"^(javascript|vbscript|data:text/html|data:application)", re.IGNORECASE)
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")


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
                "quality": SCREENSHOT_QUALITY,
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


def screenshot_artifacts(jpeg: bytes) -> dict[str, Artifact]:
    """The screenshot as Chromium encoded it (JPEG) and its thumbnail (WebP)."""
    with Image.open(io.BytesIO(jpeg)) as opened:
        # The thumbnail is 400 px wide: a 1280 px page decoded at half scale still has 640.
        opened.draft("RGB", (max(THUMBNAIL_WIDTH, opened.width // 2), max(1, opened.height // 2)))
        opened.load()
        # Chromium's JPEG decodes as RGB already; convert() would copy the whole decoded page.
        image = opened if opened.mode == "RGB" else opened.convert("RGB")
        thumbnail = _thumbnail(image)
    return {
        "screenshot": Artifact(jpeg, "screenshot.jpg", "image/jpeg"),
        "thumbnail": Artifact(thumbnail, "thumbnail.webp", "image/webp"),
    }


def print_pdf(driver, max_pages: int) -> bytes:
    reply = driver.execute_cdp_cmd(
        "Page.printToPDF",
        {"printBackground": True, "pageRanges": f"1-{max_pages}", "preferCSSPageSize": False},
    )
    return pdf_without_print_time(base64.b64decode(reply["data"]))


# Chromium stamps the moment of printing into every PDF; the capture's own time is on its record.
_PDF_PRINT_TIME = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}")
_FIXED_TIME = b"19700101000000"
# Tagged PDFs name table cells by the renderer's DOM node numbers, which depend on what the
# browser loaded before; numbered afresh in the same order they keep their sorted name tree.
_PDF_NODE_ID = re.compile(rb"\(node(\d{8})\)")


def pdf_without_print_time(pdf: bytes) -> bytes:
    """The PDF with its print-time stamps fixed and its node names numbered from 1, lengths unchanged.

    An unchanged page then prints to the same bytes on re-capture, and is stored once; every
    replacement has the length of what it replaces, so the cross-reference offsets stay right.
    """
    pdf = _PDF_PRINT_TIME.sub(lambda m: b"/" + m.group(1) + b" (D:" + _FIXED_TIME, pdf)
    numbers = {old: new for new, old in enumerate(sorted(set(_PDF_NODE_ID.findall(pdf))), start=1)}
    return _PDF_NODE_ID.sub(lambda m: b"(node%08d)" % numbers[m.group(1)], pdf)


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


def _local(name: object) -> str:
    """Lower-case local name of an element or attribute, namespace and prefix dropped."""
    text = name if isinstance(name, str) else ""
    return text.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _disarm(root, *, svg: bool) -> None:
    """Remove active elements, event handlers and script URLs from a parsed tree, in place.

    A hostile DOM can hold hundreds of thousands of elements: the walk does as little as it can
    per attribute, and active elements are found by lxml's own tag filter.
    """
    for element in root.iter(etree.Element):
        attributes = element.attrib
        for name, value in attributes.items() if attributes else ():
            local = name.rpartition("}")[2].rpartition(":")[2].lower()  # _local, inlined: called per attribute
            if local.startswith("on") or local == "srcdoc":
                del attributes[name]
            elif ":" in value and _ACTIVE_URL.match(_IGNORED_IN_URLS.sub("", value)):
                del attributes[name]
            elif svg and local == "href" and not _IGNORED_IN_URLS.sub("", value).startswith(("#", "data:image/")):
                del attributes[name]  # an SVG opened from disk may only point inside itself
    doomed = []
    for element in root.iter(*_ACTIVE_TAG_FILTER):
        tag = _local(element.tag)
        if tag == "meta":
            if element.get("http-equiv", "").strip().lower() == "refresh":
                doomed.append(element)
        elif tag in _ANIMATIONS:
            animated = _local(element.get("attributeName") or element.get("attributename") or "")
            if animated == "href" or animated.startswith("on"):
                doomed.append(element)
        else:
            doomed.append(element)
    for element in doomed:
        _remove(element)


def _remove(element) -> None:
    """Take an element and its content out of the tree, keeping the text that followed it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def inert_dom(dom: str) -> Artifact | None:
    """The rendered DOM as a file that runs nothing when opened from disk; None if it cannot be parsed.

    It is re-declared UTF-8 (the stored bytes are, whatever the page said), and the first thing
    in its head is a meta Content-Security-Policy that forbids script. lxml's plain elements are
    used, not lxml.html's, which cost a Python object lookup per element of a huge DOM.
    """
    parser = etree.HTMLParser(encoding="utf-8", huge_tree=True, no_network=True)
    root = etree.fromstring(dom.encode("utf-8", "replace"), parser=parser)
    if root is None or root.tag != "html":
        return None
    _disarm(root, svg=False)
    head = root.find("head")
    if head is None:
        head = etree.Element("head")
        root.insert(0, head)
    for meta in head.findall("meta"):
        if meta.get("charset") is not None or meta.get("http-equiv", "").strip().lower() == "content-type":
            head.remove(meta)
    head.insert(0, etree.Element("meta", {"charset": "utf-8"}))
    head.insert(0, etree.Element("meta", {"http-equiv": "Content-Security-Policy", "content": INERT_CSP}))
    # The page's own doctype, or none, as it was (libxml2 invents an HTML 4.0 one when there is none).
    doctype = root.getroottree().docinfo.doctype if dom.lstrip()[:9].upper() == "<!DOCTYPE" else ""
    html = (doctype + "\n" if doctype else "") + etree.tostring(root, method="html", encoding="unicode")
    # The byte order mark settles the encoding however far down the charset meta ends up.
    return Artifact(UTF8_BOM + html.encode("utf-8"), f"dom{INERT_MARK}.html", "text/html; charset=utf-8")


def inert_svg(data: bytes) -> bytes | None:
    """An SVG without script, handlers, foreign content or outside references; None if it is not SVG.

    Entities are never expanded and nothing is fetched while parsing; a broken file is
    recovered as far as it parses (Chromium would render that far too).
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True,
                             remove_pis=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None or _local(root.tag) != "svg":
        return None
    for entity in list(root.iter(etree.Entity)):  # unexpanded, and the DTD that declared them is gone
        _remove(entity)
    _disarm(root, svg=True)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
