"""The capture engine behind one call: `capture(url, limits) -> CaptureResult`.

Tasks, tests and benchmarks all call this. The engine never touches the database or Django
storage: it returns bytes and facts, and `snapshots.links.services` decides what to keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class CaptureLimits:
    deadline: float = 45.0  # seconds for the whole capture, artifacts included
    page_load_budget: float = 20.0  # seconds to wait for the load event before capturing anyway
    max_bytes: int = 50 * 1024 * 1024  # bytes downloaded through the proxy per capture
    max_screenshot_height: int = 15_000  # px; WebP stops at 16,383
    max_pdf_pages: int = 50

    @classmethod
    def from_settings(cls) -> CaptureLimits:
        return cls(
            deadline=float(settings.CAPTURE_DEADLINE),
            page_load_budget=float(settings.CAPTURE_PAGE_LOAD_BUDGET),
            max_bytes=settings.CAPTURE_MAX_BYTES,
            max_screenshot_height=settings.CAPTURE_MAX_SCREENSHOT_HEIGHT,
            max_pdf_pages=settings.CAPTURE_MAX_PDF_PAGES,
        )


@dataclass
class Artifact:
    data: bytes
    filename: str  # e.g. "screenshot.webp"; the storage path is chosen by the caller
    content_type: str


@dataclass
class CaptureResult:
    ok: bool
    error: str = ""  # short human reason when not ok ("address not allowed", "timed out after 45 s")
    notes: list[str] = field(default_factory=list)  # warnings on success
    final_url: str = ""
    http_status: int | None = None
    content_type: str = ""
    title: str = ""
    description: str = ""
    language: str = ""
    charset: str = ""
    text: str = ""
    # keys from Snapshot.ARTIFACT_KINDS: screenshot, thumbnail, html, dom, pdf, text, favicon, original
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


class TransientCaptureError(Exception):
    """The browser or proxy broke (not the page's fault): the task may retry."""


def capture(url: str, limits: CaptureLimits | None = None) -> CaptureResult:
    from capture.engine import run_capture

    return run_capture(url, limits or CaptureLimits.from_settings())
