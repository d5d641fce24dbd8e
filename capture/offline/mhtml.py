"""What the MHTML alone gives: a saved document with its parts inlined and its active content gone.

Used for an archive the reader uploaded and for a frame our script could not reach (one in
another renderer process). lxml restructures the tree: stylesheets inlined, inline SVG turned
into images, frames and embeds dropped; the caller then sanitises the result with nh3.
"""

from __future__ import annotations

import base64
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from capture.offline.resources import Resources

_DROP_WITH_CONTENT = ("script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "template")
_IMAGE_TAGS = {"img", "source", "picture", "video"}


def _inline_svg(element) -> None:
    """An inline SVG becomes an <img> of itself: shown the same, but an image never runs script."""
    for bad in element.xpath(".//*[local-name()='script' or local-name()='foreignObject']"):
        bad.getparent().remove(bad)
    for node in element.iter():
        for name in list(node.attrib):
            if name.lower().startswith("on") or name.lower().endswith("href"):
                del node.attrib[name]
    if "xmlns" not in element.attrib:
        element.set("xmlns", "http://www.w3.org/2000/svg")
    markup = etree.tostring(element, method="html", encoding="unicode", with_tail=False)
    image = lxml.html.Element("img")
    image.set("src", "data:image/svg+xml;base64," + base64.b64encode(markup.encode()).decode("ascii"))
    for name in ("width", "height", "class", "style"):
        if element.get(name):
            image.set(name, element.get(name))
    image.tail = element.tail
    element.getparent().replace(element, image)


def restructure(document, resources: Resources, base: str) -> list[str]:
    """Inline what can be inlined and return the head's stylesheets as CSS texts."""
    for element in list(document.iter(*_DROP_WITH_CONTENT)):
        element.drop_tree()
    for svg in list(document.iter("svg")):
        if svg.getparent() is not None:
            _inline_svg(svg)
    head_styles: list[str] = []
    for element in list(document.iter("link", "style")):
        if element.tag == "link":
            rel = (element.get("rel") or "").lower().split()
            href = urljoin(base, element.get("href") or "")
            found = resources.get(href) if "stylesheet" in rel else None
            if found is not None:
                style = lxml.html.Element("style")
                style.text = resources.css(resources.decode(found[1]), href)
                if element.get("media"):
                    style.set("media", element.get("media"))
                style.tail = element.tail
                element.getparent().replace(element, style)
                element = style
            else:
                element.drop_tree()
                continue
        else:
            element.text = resources.css(element.text or "", base)
        if any(parent.tag == "head" for parent in element.iterancestors()):
            head_styles.append(etree.tostring(element, method="html", encoding="unicode", with_tail=False))
            element.drop_tree()
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        for name in list(element.attrib):
            value = element.attrib[name]
            if name == "style":
                element.set(name, resources.css(value, base))
            elif name in ("src", "poster") or (name == "href" and element.tag != "a"):
                if value.startswith("data:") and element.tag in _IMAGE_TAGS:
                    continue
                uri = resources.data_uri(urljoin(base, value)) if element.tag in _IMAGE_TAGS else None
                if uri:
                    element.set(name, uri)
                else:
                    del element.attrib[name]
            elif name == "srcset":
                element.set(name, resources.srcset(value, base))
            elif name == "href" and element.tag == "a":
                element.set(name, urljoin(base, value))
    return head_styles


def frame_parts(html: str, resources: Resources, base: str) -> dict:
    """A frame's MHTML part in the shape serialize.js gives a document (head, body, attributes)."""
    document = lxml.html.document_fromstring(html or "<p></p>")
    head_styles = restructure(document, resources, base)
    body = document.find("body")
    inner = ""
    if body is not None:
        markup = etree.tostring(body, method="html", encoding="unicode", with_tail=False)
        inner = markup[markup.index(">") + 1:markup.rindex("</body>")] if "</body>" in markup else ""
    kept = ("class", "style", "dir", "lang")
    attrs = {k: v for k, v in (body.attrib.items() if body is not None else []) if k in kept}
    return {"kind": "frame", "head": "".join(head_styles), "body": inner, "htmlAttrs": {}, "bodyAttrs": attrs,
            "url": base, "parts": []}
