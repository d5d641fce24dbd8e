"""The offline copy of a serialised page: fragments cleaned one by one, then stitched together.

serialize.js leaves a placeholder, named with this build's marker, where a shadow root, a
frame or an inline SVG was. Each part is cleaned on its own and only then put in: a shadow
root as declarative shadow DOM (<template shadowrootmode="open">), a frame as a sandboxed
srcdoc document with the same Content-Security-Policy as the copy, an SVG as an image of
itself (an image never runs script or loads anything). The page's own templates, srcdoc and
shadowrootmode never pass the allow-list, so only this module writes them.
"""

from __future__ import annotations

import base64
import html
import re
import time
from dataclasses import dataclass

from lxml import etree

from capture import reasons
from capture.offline import mhtml, sanitize
from capture.offline.resources import Resources
from capture.reasons import Reason

CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; font-src data:; "
    "media-src data:; form-action 'none'; base-uri 'none'"
)
MAX_NESTING = 12  # shadow roots and frames inside each other; deeper ones are left empty
_STYLE = re.compile(r"<style([^>]*)>(.*?)</style>", re.DOTALL)
_DATA_HREF = re.compile(r'\sdata-href="([^"]*)"')
_ATTR = re.compile(r'([a-z][a-z0-9-]*)="([^"]*)"')
_SVG_HREF = re.compile(r'((?:xlink:)?href)="(https?:[^"]*)"')
_PAGE_ATTRS = ("class", "style", "lang", "dir")


@dataclass
class Built:
    data: bytes  # the copy, UTF-8
    notes: list[Reason]
    seconds: float = 0.0  # building it on the worker thread, after the page was serialised


class _Stitcher:
    def __init__(self, resources: Resources, marker: str):
        self.resources = resources
        self.marker = marker
        self.placeholder = re.compile(
            rf"<lh-({'|'.join(sanitize.PLACEHOLDER_KINDS)})-{marker}((?:\s[^>]*)?)></lh-\1-{marker}>"
        )

    def styles(self, fragment: str, base: str) -> str:
        """Stylesheet texts with their url()s inlined; a sheet the page could not read comes from the MHTML."""

        def inline(match: re.Match) -> str:
            attrs, css = match.group(1), match.group(2)
            href = _DATA_HREF.search(attrs)
            if href:
                url = html.unescape(href.group(1))
                found = self.resources.get(url)
                css = self.resources.css(self.resources.decode(found[1]), url) if found else ""
                attrs = _DATA_HREF.sub("", attrs)
            else:
                css = self.resources.css(css, base)
            return f"<style{attrs}>{css}</style>"

        return _STYLE.sub(inline, fragment)

    def fragment(self, markup: str, parts: list, base: str, depth: int) -> str:
        """A fragment cleaned on its own, its placeholders replaced by their cleaned parts."""
        cleaned = sanitize.clean(self.styles(markup, base), self.resources, base, self.marker)

        def stitch(match: re.Match) -> str:
            kind, attrs = match.group(1), dict(_ATTR.findall(match.group(2)))
            index = int(attrs.pop("data-i", "-1"))
            part = parts[index] if 0 <= index < len(parts) and isinstance(parts[index], dict) else {}
            box = "".join(f' {k}="{v}"' for k, v in attrs.items())  # already escaped by nh3
            if kind == "shadow":
                inner = self.fragment(str(part.get("html", "")), parts, base, depth + 1) if depth < MAX_NESTING else ""
                return f'<template shadowrootmode="open">{inner}</template>'
            if kind == "frame":
                srcdoc = self.frame(part, parts, depth + 1) if depth < MAX_NESTING else ""
                return f'<iframe sandbox=""{box} srcdoc="{html.escape(srcdoc, quote=True)}"></iframe>'
            uri = self.svg(part)
            return f'<img{box} alt=""' + (f' src="{uri}"' if uri else "") + ">"

        return self.placeholder.sub(stitch, cleaned)

    def frame(self, part: dict, parts: list, depth: int) -> str:
        """A frame's document: its own run's parts, its parent's, or its MHTML part."""
        if part.get("kind") == "run":
            parts = part.get("parts") or []
        elif part.get("kind") != "frame":
            found = self.resources.get(f"cid:frame-{part.get('frameId', '')}@mhtml.blink")
            if found is None:
                return document_html("", "", "", {}, {}, CSP)
            part = mhtml.frame_parts(self.resources.decode(found[1]), self.resources, "")
        base = str(part.get("url", ""))
        body = self.fragment(str(part.get("head", "")) + str(part.get("body", "")), parts, base, depth)
        return document_html(body, "", "", _attrs(part.get("htmlAttrs"), self.resources, base),
                             _attrs(part.get("bodyAttrs"), self.resources, base), CSP)

    def svg(self, part: dict) -> str | None:
        """An inline SVG as a data: image, its external sprites and images taken from the browser."""
        markup = str(part.get("markup", ""))
        if not markup:
            return None
        defs = []
        for url in set(part.get("externals") or []):
            symbol = self._sprite_symbol(str(url))
            if symbol is not None:
                defs.append(symbol)
                markup = markup.replace(f'href="{html.escape(url)}"', f'href="#{url.split("#", 1)[1]}"')
        markup = _SVG_HREF.sub(lambda m: f'{m.group(1)}="{self.resources.data_uri(html.unescape(m.group(2))) or ""}"',
                               markup)
        if defs:
            close = markup.find(">")
            markup = markup[:close + 1] + "<defs>" + "".join(defs) + "</defs>" + markup[close + 1:]
        return "data:image/svg+xml;base64," + base64.b64encode(markup.encode("utf-8")).decode("ascii")

    def _sprite_symbol(self, url: str) -> str | None:
        if "#" not in url:
            return None
        found = self.resources.get(url)
        if found is None:
            return None
        try:
            tree = etree.fromstring(found[1], etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            return None
        wanted = url.split("#", 1)[1]
        for node in tree.iter():
            if node.get("id") == wanted:
                for bad in node.xpath(".//*[local-name()='script' or local-name()='foreignObject']"):
                    bad.getparent().remove(bad)
                return etree.tostring(node, encoding="unicode", with_tail=False)
        return None


def _attrs(given: object, resources: Resources, base: str) -> dict[str, str]:
    """The attributes of <html> or <body> worth keeping (custom properties live in their style)."""
    if not isinstance(given, dict):
        return {}
    kept = {name: str(given[name]) for name in _PAGE_ATTRS if isinstance(given.get(name), str)}
    if "style" in kept:
        kept["style"] = resources.css(kept["style"], base)
    return kept


def document_html(body: str, title: str, language: str, html_attrs: dict[str, str], body_attrs: dict[str, str],
                  csp: str) -> str:
    """The outer document around a cleaned body; the CSP meta comes first in every one."""
    if language and "lang" not in html_attrs:
        html_attrs = {**html_attrs, "lang": language}

    def render(attrs: dict[str, str]) -> str:
        return "".join(f' {name}="{html.escape(value)}"' for name, value in attrs.items())

    return (
        f"<!DOCTYPE html>\n<html{render(html_attrs)}><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        f"<title>{html.escape(title)}</title></head><body{render(body_attrs)}>{body}</body></html>\n"
    )


def build(page: dict, resources: Resources, marker: str, title: str, language: str) -> Built:
    """The self-contained, script-free copy of a page serialised by serialize.js."""
    base = str(page.get("url", ""))
    stitcher = _Stitcher(resources, marker)
    body = stitcher.fragment(str(page.get("head", "")) + str(page.get("body", "")), page.get("parts") or [], base, 0)
    copy = document_html(body, title, language, _attrs(page.get("htmlAttrs"), resources, base),
                         _attrs(page.get("bodyAttrs"), resources, base), CSP)
    return Built(copy.encode("utf-8"), _notes(resources))


def make(resources: Resources, page: dict | None, extra: dict[str, tuple[str, bytes]], skipped: int, marker: str,
         title: str, language: str, budget: int) -> Built:
    """The copy within `budget` bytes of inlined resources: from the serialised page, else the MHTML alone.

    `skipped` counts what was not even read from the browser for the budget.
    """
    started = time.monotonic()
    view = resources.budgeted(budget, extra)
    view.left_out = skipped
    built = build_from_mhtml(view, title, language) if page is None else build(page, view, marker, title, language)
    built.seconds = round(time.monotonic() - started, 4)
    return built


def build_from_mhtml(resources: Resources, title: str, language: str) -> Built:
    """The copy from the MHTML alone, for when the page could not be serialised in place."""
    if not resources.root_html.strip():
        raise ValueError("MHTML snapshot has no HTML part")
    page = mhtml.frame_parts(resources.root_html, resources, resources.root_url)
    body = sanitize.clean(str(page["head"]) + str(page["body"]), resources, resources.root_url, "")
    return Built(document_html(body, title, language, {}, _attrs(page["bodyAttrs"], resources, ""), CSP)
                 .encode("utf-8"), _notes(resources))


def _notes(resources: Resources) -> list[Reason]:
    if not resources.left_out:
        return []
    mb = max(1, round(resources.budget / 1048576))
    return [Reason(reasons.OFFLINE_COPY_TRIMMED, {"count": resources.left_out, "mb": mb})]
