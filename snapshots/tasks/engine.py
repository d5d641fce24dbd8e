"""The capture engine's configuration, built from Django settings in this one place.

The engine (`capture`) reads no settings: the capture task, the worker's browser hooks, the
tests and the benchmarks all hand it the config built here.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from capture.results import CaptureConfig, CaptureLimits
from snapshots.models import TITLE_MAX_LENGTH


def capture_config(*, hide_overlays: bool = True) -> CaptureConfig:
    """The engine config the current settings describe; built per call so overrides apply at once.

    `hide_overlays`: False for a link kept exactly as served (`Link.keep_as_served`).
    """
    return CaptureConfig(
        limits=CaptureLimits(
            deadline=float(settings.CAPTURE_DEADLINE),
            page_load_budget=float(settings.CAPTURE_PAGE_LOAD_BUDGET),
            page_answer_timeout=float(settings.CAPTURE_PAGE_ANSWER_TIMEOUT),
            max_bytes=settings.CAPTURE_MAX_BYTES,
            max_screenshot_height=settings.CAPTURE_MAX_SCREENSHOT_HEIGHT,
            max_pdf_pages=settings.CAPTURE_MAX_PDF_PAGES,
        ),
        allowed_origins=tuple(settings.CAPTURE_ALLOWED_ORIGINS),
        dns_server=settings.CAPTURE_DNS_SERVER,
        chromium_binary=str(settings.CHROMIUM_BINARY),
        chromedriver_binary=str(settings.CHROMEDRIVER_BINARY),
        profile_root=Path(settings.CAPTURE_PROFILE_ROOT),
        browser_recycle_after=settings.CAPTURE_BROWSER_RECYCLE_AFTER,
        browser_max_rss_mb=float(settings.CAPTURE_BROWSER_MAX_RSS_MB),
        browser_nice=settings.CAPTURE_BROWSER_NICE,
        title_max_length=TITLE_MAX_LENGTH,
        hide_overlays=hide_overlays,
    )
