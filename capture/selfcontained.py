"""One offline HTML file from Chromium's MHTML snapshot: resources inlined, active content gone.

The MHTML holds the rendered DOM plus every subresource Chromium had loaded, so nothing is
fetched again. Images, stylesheets and fonts become data: URIs (stylesheet url() and @import
rewritten too). lxml restructures the tree (stylesheets inlined, inline SVG turned into images,
frames and embeds dropped); nh3 then re-parses the result with an allowlist, which is what
guarantees no script, no on* handler, no javascript: URL, no base, form or meta refresh
survives. A strict Content-Security-Policy in the file's own head is a second lock: even a
browser that found something active could not run it or load anything from the network.
"""

from __future__ import annotations

import base64
import codecs
import email
import email.policy
import html
import logging
import re
from urllib.parse import urljoin, urlsplit

import lxml.html
import nh3
from lxml import etree

logger = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; font-src data:; "
    "media-src data:; form-action 'none'; base-uri 'none'"
)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(
    r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)["']?\s*\)?[^;]*;""", re.IGNORECASE
)
_DROP_WITH_CONTENT = ("script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "template")
_IMAGE_TAGS = {"img", "source", "picture", "video"}
_TAGS = set(nh3.ALLOWED_TAGS) | {
    "style", "font", "center", "main", "header", "footer", "nav", "section", "article", "aside",
    "figure", "figcaption", "mark", "time", "picture", "source", "big", "small", "label",
}
_GENERIC = {"class", "id", "style", "title", "lang", "dir", "align", "valign", "width", "height",
            "bgcolor", "border", "role", "hidden"}
_ATTRIBUTES = {
    "*": _GENERIC,
    "a": {"href", "name"},
    "img": {"src", "srcset", "alt", "sizes"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "style": {"media"},
    "td": {"colspan", "rowspan", "nowrap"},
    "th": {"colspan", "rowspan", "scope", "nowrap"},
    "table": {"cellpadding", "cellspacing", "summary"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "font": {"color", "face", "size"},
    "time": {"datetime"},
}


def _codec(name: str | None) -> str:
    """A Python codec for a web encoding label; GBK pages are decoded as GB18030 (its superset)."""
    if not name:
        return ""
    try:
        codec = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return "utf-8"
    return "gb18030" if codec in ("gbk", "gb2312") else codec


class Resources:
    """The MHTML parts, looked up by URL (Content-Location) or frame id (Content-ID).

    Chromium writes text parts in the document's own encoding without naming it (a GBK page's
    HTML part is GBK bytes, quoted-printable), so `charset` — the document's — decodes them.
    """

    def __init__(self, mhtml: bytes, charset: str = "utf-8"):
        self.charset = _codec(charset) or "utf-8"
        message = email.message_from_bytes(mhtml, policy=email.policy.compat32)
        self.root_url = ""
        self.root_html = ""
        self._parts: dict[str, tuple[str, bytes]] = {}
        for part in message.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True) or b""
            content_type = part.get_content_type()
            location = (part.get("Content-Location") or "").strip()
            content_id = (part.get("Content-ID") or "").strip().strip("<>")
            if not self.root_html and content_type == "text/html":
                self.root_url = location
                self.root_html = payload.decode(_codec(part.get_content_charset()) or self.charset, errors="replace")
            if location:
                self._parts.setdefault(location, (content_type, payload))
            if content_id:
                self._parts.setdefault(f"cid:{content_id}", (content_type, payload))

    def decode(self, payload: bytes) -> str:
        """A stylesheet's text: UTF-8 when it is valid UTF-8 (most are), else the document's encoding."""
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode(self.charset, errors="replace")

    def get(self, url: str) -> tuple[str, bytes] | None:
        return self._parts.get(url) or self._parts.get(url.split("#", 1)[0])

    def data_uri(self, url: str) -> str | None:
        found = self.get(url)
        if found is None:
            return None
        content_type, payload = found
        if content_type == "text/css":
            payload = self.css(self.decode(payload), url).encode()
        return f"data:{content_type};base64,{base64.b64encode(payload).decode('ascii')}"

    def css(self, text: str, base: str, depth: int = 0) -> str:
        """Stylesheet text with @import inlined and every url() a data: URI (or emptied)."""

        def imported(match: re.Match) -> str:
            target = urljoin(base, match.group(1))
            found = self.get(target) if depth < 4 else None
            if found is None:
                return ""
            return self.css(self.decode(found[1]), target, depth + 1)

        def url(match: re.Match) -> str:
            raw = next(g for g in match.groups() if g is not None)
            if raw.startswith("data:") or raw.startswith("#"):
                return match.group(0)
            uri = self.data_uri(urljoin(base, raw)) if depth < 5 else None
            return f'url("{uri}")' if uri else 'url("data:,")'

        return _CSS_URL.sub(url, _CSS_IMPORT.sub(imported, text))


def _rewrite_srcset(value: str, base: str, resources: Resources) -> str:
    candidates = []
    for candidate in value.split(","):
        bits = candidate.strip().split()
        if not bits:
            continue
        uri = resources.data_uri(urljoin(base, bits[0]))
        if uri:
            candidates.append(" ".join([uri, *bits[1:]]))
    return ", ".join(candidates)


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


def _restructure(document, resources: Resources, base: str) -> list[str]:
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
                element.set(name, _rewrite_srcset(value, base, resources))
            elif name == "href" and element.tag == "a":
                element.set(name, urljoin(base, value))
    return head_styles


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Data URIs only as images; links only to the web; nothing else that could load or run."""
    lowered = value.strip().lower()
    if name in ("src", "srcset") and tag not in _IMAGE_TAGS:
        return None
    if name in ("src", "srcset") and not lowered.startswith("data:"):
        return None
    if name == "href" and urlsplit(lowered).scheme not in ("http", "https", "mailto", ""):
        return None
    return value


def build_html(resources: Resources, title: str, language: str) -> bytes:
    """The self-contained, script-free HTML file for an MHTML snapshot's parts (UTF-8)."""
    if not resources.root_html.strip():
        raise ValueError("MHTML snapshot has no HTML part")
    document = lxml.html.document_fromstring(resources.root_html)
    base = resources.root_url
    head_styles = _restructure(document, resources, base)
    body = document.find("body")
    body_attrs = dict(body.attrib) if body is not None else {}
    inner = "" if body is None else html.escape(body.text or "", quote=False) + "".join(
        etree.tostring(child, method="html", encoding="unicode") for child in body
    )
    clean = nh3.clean(
        "".join(head_styles) + inner,
        tags=_TAGS,
        clean_content_tags={"script"},
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto", "data"},
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
    )
    body_open = "<body" + "".join(
        f' {name}="{html.escape(resources.css(value, base) if name == "style" else value)}"'
        for name, value in body_attrs.items()
        if name in ("class", "style", "dir", "lang")
    ) + ">"
    lang_attr = f' lang="{html.escape(language)}"' if language else ""
    page = (
        f"<!DOCTYPE html>\n<html{lang_attr}><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{html.escape(title)}</title></head>{body_open}{clean}</body></html>\n"
    )
    return page.encode("utf-8")
