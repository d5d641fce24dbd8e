"""Reading the stored reader copy of a snapshot for our reader page.

The engine stores the copy already through an allow-list (capture/reader/document.py). It is
cleaned again here, with the same rules or stricter, as it enters our page: a copy stored by an
older engine, or a file changed on disk, still cannot bring script, style, class or id into a
page that runs as our origin. Images keep only `data:image/…` sources, so reading fetches
nothing. The rules are the engine's own (`capture.reader.allowlist`, plain data that loads no
part of the engine).
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

import nh3
from django.core.files.storage import default_storage

from capture.reader.allowlist import ATTRIBUTES, LINK_SCHEMES, TAGS
from snapshots.models import Snapshot

MAX_READER_BYTES = 40 * 1024 * 1024  # a larger file is not embedded in a page
CJK_CHARACTERS_PER_MINUTE = 400
WORDS_PER_MINUTE = 230
_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp|avif|bmp);base64,", re.IGNORECASE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


def _keep(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and name == "src":
        return value if _IMAGE_DATA.match(value) else None
    if tag == "a" and name == "href":
        return value if urlsplit(value.strip()).scheme.lower() in LINK_SCHEMES else None
    return value


def clean(markup: str) -> str:
    """Allow-listed markup: structure only, no style/class/id, forms, frames or script."""
    return nh3.clean(
        markup,
        tags=TAGS,
        clean_content_tags={"script", "style", "template", "noscript", "iframe", "object", "embed", "svg",
                            "math", "form", "select", "textarea", "button", "title", "head"},
        attributes=ATTRIBUTES,
        attribute_filter=_keep,
        url_schemes={*LINK_SCHEMES, "data"},
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
    )


def reader_markup(snapshot: Snapshot) -> str | None:
    """The cleaned body of the snapshot's reader copy; None when it has none (or it is unreadable)."""
    name = (snapshot.artifacts or {}).get("reader")
    if not name:
        return None
    try:
        if default_storage.size(name) > MAX_READER_BYTES:
            return None
        with default_storage.open(name, "rb") as handle:
            stored = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    start, end = stored.find("<body>"), stored.rfind("</body>")
    body = stored[start + len("<body>"):end] if start >= 0 and end > start else stored
    return clean(body)


def reading_minutes(text: str) -> int:
    """Minutes to read `text`: CJK by characters, other scripts by words; at least one."""
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    return max(1, math.ceil(cjk / CJK_CHARACTERS_PER_MINUTE + words / WORDS_PER_MINUTE))
