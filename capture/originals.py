"""A URL that is a file, not a page: a PDF or an image is kept as it came, with a preview."""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

from capture import artifacts, fetch, reasons
from capture.artifacts import INERT_MARK, inert_svg
from capture.page import safe_title
from capture.reasons import Reason
from capture.results import Artifact, CaptureResult

logger = logging.getLogger(__name__)

_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
               "image/svg+xml": "svg", "image/bmp": "bmp", "image/x-icon": "ico",
               "image/vnd.microsoft.icon": "ico", "image/avif": "avif", "application/pdf": "pdf"}


def is_original(content_type: str) -> bool:
    return content_type == "application/pdf" or content_type.startswith("image/")


def image_artifact(name: str, data: bytes, content_type: str, fallback_ext: str) -> Artifact | None:
    """A downloaded image or PDF as an artifact; an SVG is stored inert, or not at all."""
    if content_type == "image/svg+xml":
        inert = inert_svg(data)
        return Artifact(inert, f"{name}{INERT_MARK}.svg", content_type) if inert else None
    return Artifact(data, f"{name}.{_EXTENSIONS.get(content_type, fallback_ext)}", content_type)


def keep(result: CaptureResult, got: fetch.Fetched, status: int | None, max_pdf_pages: int,
         title_max_length: int) -> Reason | None:
    """Fill `result` with the downloaded file and its previews; the reason when it is no file we keep."""
    if not is_original(got.content_type):
        if not got.content_type:
            return Reason(reasons.DOWNLOAD_NOT_PAGE_UNKNOWN)
        return Reason(reasons.DOWNLOAD_NOT_PAGE, {"content_type": got.content_type})
    r = result
    r.ok = True
    r.final_url = got.url
    r.http_status = got.status or status
    r.content_type = got.content_type
    original = image_artifact("original", got.data, got.content_type, "bin")
    if original is not None:  # None: an SVG that does not parse, nothing safe to keep
        r.artifacts["original"] = original
    try:
        if got.content_type == "application/pdf":
            previews, text = artifacts.pdf_preview(got.data, max_pdf_pages)
            r.text = text
            r.artifacts["text"] = Artifact(text.encode("utf-8"), "text.txt", "text/plain; charset=utf-8")
        else:
            previews = artifacts.image_preview(got.data)
        r.artifacts.update(previews)
    except Exception as exc:  # a broken file is still worth keeping as the original
        logger.warning("could not render a preview of %s: %s", got.url, exc)
        r.notes.append(Reason(reasons.PREVIEW_FAILED))
    r.title = safe_title(unquote(urlsplit(got.url).path.rsplit("/", 1)[-1]) or got.url, title_max_length)
    return None
