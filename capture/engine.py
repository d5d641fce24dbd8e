"""One capture, start to finish, on the warm browser: navigate, settle, record, reset.

Chromium works serially (chromedriver runs one command at a time), so the Python-side work
(WebP encoding, building the offline HTML, fetching the favicon) runs on a small thread pool
while Chromium goes on to the next artifact. A watchdog kills the browser shortly before the
deadline: whatever is stuck (a hung renderer, a server that never answers) then fails fast,
and the capture returns what it had.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from selenium.common.exceptions import WebDriverException

from capture import browser, reasons
from capture.netguard import AddressNotAllowed, AllowedOrigins, check_origin_host
from capture.proxy_scope import Scope
from capture.reasons import Reason
from capture.recorder import Recorder
from capture.resolver import resolver_for
from capture.results import CaptureConfig, CaptureResult, TransientCaptureError

logger = logging.getLogger(__name__)

_pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="capture-work")


def _failed(error: Reason, started: float) -> CaptureResult:
    return CaptureResult(ok=False, error=error, timings={"total": time.monotonic() - started})


def precheck(url: str, allowed: AllowedOrigins) -> Reason | None:
    """Refuse what is plainly not capturable before touching the browser; None when fine."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return Reason(reasons.INVALID_URL)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return Reason(reasons.SCHEME_NOT_ALLOWED)
    if not parts.hostname:
        return Reason(reasons.NO_HOST)
    if parts.username is not None or parts.password is not None:
        return Reason(reasons.CREDENTIALS_IN_URL)
    try:
        check_origin_host(scheme, parts.hostname, port, allowed)
    except AddressNotAllowed:
        logger.warning("refused capture of %s: address not allowed", url)
        return Reason(reasons.ADDRESS_NOT_ALLOWED)
    return None


class Watchdog:
    """Kills the session at a point in time unless cancelled first."""

    def __init__(self, session: browser.BrowserSession, at: float):
        self.fired = threading.Event()
        self._session = session
        self._timer = threading.Timer(max(0.0, at - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired.set()
        logger.warning("capture deadline reached; killing browser %s", self._session.profile.name)
        self._session.kill()

    def cancel(self) -> None:
        self._timer.cancel()


def capture(url: str, config: CaptureConfig) -> CaptureResult:
    """Capture `url` within `config.limits`; raises TransientCaptureError only for browser breakage."""
    started = time.monotonic()
    limits = config.limits
    allowed = AllowedOrigins(config.allowed_origins)
    refused = precheck(url, allowed)
    if refused:
        return _failed(refused, started)
    try:
        session = browser.acquire(config)
    except (WebDriverException, OSError) as exc:
        raise TransientCaptureError(f"capture browser could not start: {exc}") from exc
    scope = Scope(allowed, resolver_for(config.dns_server), limits.max_bytes, header_timeout=limits.page_load_budget)
    session.proxy.begin(scope)
    margin = min(1.0, limits.deadline * 0.1)
    watchdog = Watchdog(session, started + limits.deadline - margin)
    recorder = Recorder(session, scope, config, started, _pool)
    try:
        result = recorder.run(url)
    except Exception as exc:
        if not watchdog.fired.is_set():
            watchdog.cancel()
            browser.discard(session)
            if isinstance(exc, WebDriverException | OSError):
                raise TransientCaptureError(f"capture browser failed: {exc}") from exc
            raise
        result = recorder.partial(Reason(reasons.TIMED_OUT, {"seconds": f"{limits.deadline:g}"}))
    finally:
        watchdog.cancel()
        session.proxy.end()
    result.timings["total"] = time.monotonic() - started
    # Reset or tear down in the background: the caller stores artifacts meanwhile, and the
    # next acquire() waits for this to finish.
    if watchdog.fired.is_set() or session.broken:
        threading.Thread(target=browser.discard, args=(session,), name="capture-discard", daemon=True).start()
    else:
        origins = [_origin(u) for u in (url, result.final_url) if _origin(u)]
        threading.Thread(
            target=browser.release, args=(session, origins, config), name="capture-reset", daemon=True
        ).start()
    return result


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


__all__ = ["capture", "precheck"]
