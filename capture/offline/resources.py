"""The bytes the browser already holds for a page, looked up by URL, and inlined as data: URIs.

Two sources, neither a second fetch: the MHTML snapshot's parts (documents, stylesheets, images)
and what DevTools hands over from the page's resource tree for what MHTML leaves out (fonts,
external SVG sprites). Inlining counts bytes against the copy's budget; past it a resource is
left out and counted, so the copy can say so.
"""

from __future__ import annotations

import base64
import codecs
import email
import email.policy
import re
from urllib.parse import urljoin

_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(
    r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)["']?\s*\)?([^;]*);""", re.IGNORECASE
)
# What a data: URI never carries: anything a browser would open as a document or a script.
_ACTIVE_TYPES = re.compile(r"(html|xml|javascript|ecmascript)", re.IGNORECASE)
FONT_TYPES = {"woff2": "font/woff2", "woff": "font/woff", "ttf": "font/ttf", "otf": "font/otf",
              "eot": "application/vnd.ms-fontobject"}


def codec(name: str | None) -> str:
    """A Python codec for a web encoding label; GBK pages are decoded as GB18030 (its superset)."""
    if not name:
        return ""
    try:
        found = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return "utf-8"
    return "gb18030" if found in ("gbk", "gb2312") else found


def _content_type(url: str, declared: str) -> str:
    """Fonts are often served as octet-stream; their extension says what they are."""
    if declared.startswith(("font/", "application/font", "application/x-font")):
        return declared
    extension = url.split("#", 1)[0].split("?", 1)[0].rsplit(".", 1)[-1].lower()
    return FONT_TYPES.get(extension, declared)


class Resources:
    """The MHTML parts, looked up by URL (Content-Location) or frame id (Content-ID).

    Chromium writes text parts in the document's own encoding without naming it (a GBK page's
    HTML part is GBK bytes, quoted-printable), so `charset` — the document's — decodes them.
    """

    def __init__(self, mhtml: bytes, charset: str = "utf-8", budget: int = 0):
        self.charset = codec(charset) or "utf-8"
        self.budget = budget  # bytes of data: URIs one copy may hold; 0 = no limit
        self.used = 0
        self.left_out = 0  # resources not inlined because the budget was spent
        self._uris: dict[str, str] = {}
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
                self.root_html = payload.decode(codec(part.get_content_charset()) or self.charset, errors="replace")
            if location:
                self._parts.setdefault(location, (content_type, payload))
            if content_id:
                self._parts.setdefault(f"cid:{content_id}", (content_type, payload))

    def budgeted(self, budget: int, extra: dict[str, tuple[str, bytes]] | None = None) -> Resources:
        """A view of the same parts with a budget and a count of its own, plus `extra` parts.

        The reader copy inlines from the same parts at the same time on another thread; its
        images must not spend the offline copy's budget.
        """
        view = object.__new__(Resources)
        view.__dict__.update(self.__dict__)
        view.budget, view.used, view.left_out, view._uris = budget, 0, 0, {}
        if extra:
            view._parts = dict(self._parts)
            for url, (content_type, payload) in extra.items():
                view.add(url, content_type, payload)
        return view

    def add(self, url: str, content_type: str, payload: bytes) -> None:
        """A resource from another source than the MHTML (which wins where it has the URL)."""
        self._parts.setdefault(url, (_content_type(url, content_type), payload))

    def has(self, url: str) -> bool:
        return self.get(url) is not None

    def decode(self, payload: bytes) -> str:
        """A stylesheet's text: UTF-8 when it is valid UTF-8 (most are), else the document's encoding."""
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode(self.charset, errors="replace")

    def get(self, url: str) -> tuple[str, bytes] | None:
        return self._parts.get(url) or self._parts.get(url.split("#", 1)[0])

    def data_uri(self, url: str) -> str | None:
        """The resource as a data: URI; None when it is not held, not a safe type, or over budget."""
        if url in self._uris:
            return self._uris[url]
        found = self.get(url)
        if found is None:
            return None
        content_type, payload = found
        content_type = _content_type(url, content_type)
        if _ACTIVE_TYPES.search(content_type) and content_type != "image/svg+xml":
            return None
        if content_type == "text/css":
            payload = self.css(self.decode(payload), url).encode()
        size = len(payload) * 4 // 3
        if self.budget and self.used + size > self.budget:
            self.left_out += 1
            return None
        self.used += size
        uri = f"data:{content_type};base64,{base64.b64encode(payload).decode('ascii')}"
        self._uris[url] = uri
        return uri

    def css(self, text: str, base: str, depth: int = 0) -> str:
        """Stylesheet text with @import inlined and every url() a data: URI (or emptied)."""

        def imported(match: re.Match) -> str:
            target = urljoin(base, match.group(1))
            found = self.get(target) if depth < 4 else None
            if found is None:
                return ""
            inner = self.css(self.decode(found[1]), target, depth + 1)
            media = match.group(2).strip()
            if not media or media.startswith(("layer", "supports")):  # rare: left as they are
                return inner
            return f"@media {media} {{\n{inner}\n}}"

        def url(match: re.Match) -> str:
            raw = next(g for g in match.groups() if g is not None)
            if raw.startswith("data:") or raw.startswith("#"):
                return match.group(0)
            uri = self.data_uri(urljoin(base, raw)) if depth < 5 else None
            return f'url("{uri}")' if uri else 'url("data:,")'

        return _CSS_URL.sub(url, _CSS_IMPORT.sub(imported, text))

    def srcset(self, value: str, base: str) -> str:
        """A srcset with the candidates held, each as a data: URI; the others left out."""
        candidates = []
        for candidate in value.split(","):
            bits = candidate.strip().split()
            if not bits:
                continue
            uri = self.data_uri(urljoin(base, bits[0]))
            if uri:
                candidates.append(" ".join([uri, *bits[1:]]))
        return ", ".join(candidates)
