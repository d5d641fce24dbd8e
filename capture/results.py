"""What a capture is given (its configuration) and what it hands back (result, artifacts).

The engine reads no settings of its own: the caller builds one CaptureConfig and passes it to
every call, so the same engine runs under the worker, the tests and the benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from capture.reasons import Reason


@dataclass(frozen=True)
class CaptureLimits:
    deadline: float = 45.0  # seconds for the whole capture, artifacts included
    page_load_budget: float = 20.0  # seconds to wait for the load event before capturing anyway
    # Seconds a page's main thread may keep a trivial script of ours waiting before the page
    # counts as unresponsive (a script of its own spinning); a healthy page answers in milliseconds.
    page_answer_timeout: float = 5.0
    max_bytes: int = 50 * 1024 * 1024  # bytes downloaded through the proxy per capture
    max_screenshot_height: int = 15_000  # px; WebP stops at 16,383
    max_pdf_pages: int = 50
    # Bytes of images and fonts one offline copy may hold inline; past it they are left out, with a note.
    offline_max_bytes: int = 30 * 1024 * 1024

    @property
    def kill_margin(self) -> float:
        """Seconds before the deadline at which a capture still running has its browser killed:
        room for collecting what was made (on a busy machine, with a 20 MB page's copies being
        built, that took up to 1.5 s)."""
        return min(2.0, self.deadline * 0.15)


@dataclass(frozen=True)
class CaptureConfig:
    limits: CaptureLimits = CaptureLimits()
    # Origins ("http://127.0.0.1:8123") a capture may reach although their address is private.
    allowed_origins: tuple[str, ...] = ()
    dns_server: str = ""  # "host:port" of a DNS server to ask; empty: the system resolver
    chromium_binary: str = "/usr/bin/chromium"
    chromedriver_binary: str = "/usr/bin/chromedriver"
    profile_root: Path = Path("/tmp/linkhome-chromium")  # one folder per browser, `<pid>-<n>`
    browser_recycle_after: int = 100  # captures before the warm browser is replaced
    browser_max_rss_mb: float = 1500  # resident memory past which it is replaced
    browser_nice: int = 10  # niceness of chromedriver and Chromium: below the web and the workers
    title_max_length: int = 500  # characters of the page title kept
    # Hide consent dialogs, login walls, app bars and scroll locks in the screenshot (capture.overlays);
    # False keeps the page exactly as served (a per-link choice, set per capture).
    hide_overlays: bool = True


@dataclass
class Artifact:
    data: bytes
    filename: str  # e.g. "screenshot.webp"; the storage path is chosen by the caller
    content_type: str


@dataclass
class CaptureResult:
    ok: bool
    error: Reason | None = None  # why, when not ok
    notes: list[Reason] = field(default_factory=list)  # what to know about a capture that succeeded
    final_url: str = ""
    http_status: int | None = None
    content_type: str = ""
    title: str = ""
    description: str = ""
    language: str = ""
    charset: str = ""
    text: str = ""
    reader_text: str = ""  # the main content's text, when a reader copy was made
    # keys from Snapshot.ARTIFACT_KINDS: screenshot, thumbnail, html, dom, pdf, text, favicon, original, reader
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


class TransientCaptureError(Exception):
    """The browser or proxy broke (not the page's fault): the task may retry.

    Its text is for logs only: it can carry chromedriver's words and stack addresses, which
    are never shown to users.
    """
