"""The stored reader copy: extracted content through an allow-list, images from the capture.

The allow-list keeps structure (headings, paragraphs, lists, tables, figures, quotes, code)
and nothing that styles or scripts: no `style`, `class` or `id` (so the copy can never pose as
our own interface or reach our stylesheet's hooks), no forms, frames, embeds, scripts or event
handlers. Images keep only a `data:` source made from bytes the capture already holds (the
MHTML parts); an image the capture did not hold is dropped, so the copy fetches nothing when
it is read and works offline. Links keep http(s) and mailto targets only.

The artifact is a complete HTML document whose `<body>` holds a `<header>` (title, byline,
date) and an `<article>`; its own Content-Security-Policy forbids script and any fetch, should
it ever be opened on its own.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import lxml.html
import nh3

from capture.offline.resources import Resources
from capture.reader.allowlist import ATTRIBUTES, LINK_SCHEMES, TAGS
from capture.reader.inpage import Article
from capture.results import Artifact

CSP = "default-src 'none'; img-src data:; style-src 'none'; form-action 'none'; base-uri 'none'"
MAX_IMAGE_BYTES = 2 * 1024 * 1024  # one image kept in the copy
MAX_IMAGES_BYTES = 12 * 1024 * 1024  # all of them together
_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"}
_DROP_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
                      "form", "select", "textarea", "button"}
_SPACE = re.compile(r"[ \r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")

ImageLookup = Callable[[str], "tuple[str, bytes] | None"]


class _Images:
    """Turns image URLs into data: URIs from what the capture holds, within a byte budget."""

    def __init__(self, lookup: ImageLookup, base: str):
        self.lookup = lookup
        self.base = base
        self.left = MAX_IMAGES_BYTES

    def data_uri(self, src: str) -> str | None:
        src = src.strip()
        if src.startswith("data:image/") and ";base64," in src[:60]:
            content_type = src[5:src.index(";")].lower()
            if content_type in _IMAGE_TYPES and len(src) * 3 // 4 <= min(MAX_IMAGE_BYTES, self.left):
                self.left -= len(src) * 3 // 4
                return src
            return None
        url = urljoin(self.base, src)
        if urlsplit(url).scheme not in ("http", "https"):
            return None
        found = self.lookup(url)
        if found is None:
            return None
        content_type, payload = found
        content_type = content_type.split(";", 1)[0].strip().lower()
        if content_type not in _IMAGE_TYPES or len(payload) > min(MAX_IMAGE_BYTES, self.left):
            return None
        self.left -= len(payload)
        return f"data:{content_type};base64,{base64.b64encode(payload).decode('ascii')}"


def _attribute_filter(images: _Images, base: str):
    def keep(tag: str, name: str, value: str) -> str | None:
        if tag == "img" and name == "src":
            return images.data_uri(value)
        if tag == "a" and name == "href":
            target = urljoin(base, value.strip())
            return target if urlsplit(target).scheme in LINK_SCHEMES else None
        if name in ("width", "height", "colspan", "rowspan", "span", "start", "value"):
            return value if value.strip().isdigit() and int(value) < 10_000 else None
        return value

    return keep


def _image_sources(fragment: str) -> str:
    """Lazy images keep their real address in data-src or srcset: move it into src first."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for img in root.iter("img"):
        src = img.get("src") or ""
        if not src or src.startswith("data:image/gif") or src.startswith("data:image/svg"):
            lazy = img.get("data-src") or img.get("data-original") or ""
            if not lazy and img.get("srcset"):
                lazy = img.get("srcset").split(",")[0].strip().split(" ")[0]
            if lazy:
                img.set("src", lazy)
    return html.escape(root.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )


def sanitise(fragment: str, base: str, lookup: ImageLookup) -> str:
    """`fragment` through the allow-list, images made data: URIs; what is left has no img without src."""
    images = _Images(lookup, base)
    cleaned = nh3.clean(
        _image_sources(fragment) if "<img" in fragment else fragment,
        tags=TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter(images, base),
        url_schemes={*LINK_SCHEMES, "data"},
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
    )
    return re.sub(r"<img(?![^>]*\ssrc=)[^>]*>", "", cleaned)


def text_of(fragment: str) -> str:
    """The readable text of sanitised markup: one paragraph a line, table cells tab-separated."""
    if not fragment.strip():
        return ""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in root.iter("td", "th"):
        element.tail = "\t" + (element.tail or "")
    for element in root.iter("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "blockquote",
                             "pre", "figcaption", "caption", "dt", "dd", "section", "article", "header", "table"):
        element.tail = "\n" + (element.tail or "")
    text = root.text_content()
    lines = (_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


def build(article: Article, lookup: ImageLookup, *, title: str = "", language: str = "") -> tuple[bytes, str]:
    """The reader artifact (UTF-8 HTML) and its plain text (header included)."""
    body = sanitise(article.content, article.url, lookup)
    heading = html.escape(article.title or title)
    lines = [f"<h1>{heading}</h1>"] if heading else []
    if article.byline:
        lines.append(f"<p>{html.escape(article.byline)}</p>")
    if article.published:
        stamp = html.escape(article.published)
        lines.append(f'<p><time datetime="{stamp}">{html.escape(article.published[:10])}</time></p>')
    header = "<header>" + "".join(lines) + "</header>"
    lang = language or article.language
    lang_attr = f' lang="{html.escape(lang)}"' if lang else ""
    dir_attr = ' dir="rtl"' if article.direction == "rtl" else ""
    page = (
        f"<!DOCTYPE html>\n<html{lang_attr}{dir_attr}><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{heading}</title></head><body>{header}<article>{body}</article></body></html>\n"
    )
    text = "\n".join(part for part in (article.title or title, article.byline, text_of(body)) if part)
    return page.encode("utf-8"), text


def from_capture(article: Article, resources: Resources, title: str, language: str) -> tuple[Artifact, str]:
    """The reader artifact of a capture, its images taken from the capture's MHTML parts."""
    data, text = build(article, resources.get, title=title, language=language)
    return Artifact(data, "reader.html", "text/html; charset=utf-8"), text
