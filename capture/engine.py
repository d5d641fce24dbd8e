"""One capture, start to finish, on the warm browser: navigate, settle, record, reset.

Chromium works serially (chromedriver runs one command at a time), so the Python-side work
(WebP encoding, building the offline HTML, fetching the favicon) runs on a small thread pool
while Chromium goes on to the next artifact. A watchdog kills the browser shortly before the
deadline: whatever is stuck (a hung renderer, a server that never answers) then fails fast,
and the capture returns what it had.

Two kinds of trouble are told apart. The page's: its scripts keep it from answering or break
ours while the browser process itself still answers. That is a final failure with a reason, and
the browser is replaced so the next capture starts clean; trying again would only meet the
same page. Ours: chromedriver gone, the session lost, Chromium crashed or not answering. That
raises TransientCaptureError and the task tries again on a new browser.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from capture import browser, page, reasons
from capture.netguard import AddressNotAllowed, AllowedOrigins, check_origin_host
from capture.proxy_scope import Scope
from capture.reasons import Reason
from capture.recorder import Recorder
from capture.resolver import resolver_for
from capture.results import CaptureConfig, CaptureResult, TransientCaptureError
from capture.sources.upload import UnreadableUpload, UploadedPage, document_html

logger = logging.getLogger(__name__)

_pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="capture-work")
_PAGE_FAULTS = {page.PageUnresponsive: reasons.PAGE_UNRESPONSIVE, page.PageInterfered: reasons.PAGE_INTERFERED}


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


def capture(url: str, config: CaptureConfig, uploaded: UploadedPage | None = None) -> CaptureResult:
    """Capture `url` within `config.limits`; raises TransientCaptureError only for browser breakage.

    With `uploaded`, the page the reader saved from `url` in their own browser is rendered
    instead of the live page (scripts off; what it names still goes through the proxy).
    """
    started = time.monotonic()
    limits = config.limits
    allowed = AllowedOrigins(config.allowed_origins)
    refused = precheck(url, allowed)
    if refused:
        return _failed(refused, started)
    document = None
    if uploaded is not None:
        try:
            document = document_html(uploaded, url)
        except UnreadableUpload as exc:
            logger.info("upload for %s not rendered: %s", url, exc)
            return _failed(Reason(reasons.UPLOAD_UNREADABLE), started)
    waited = time.monotonic()
    try:
        session = browser.acquire(config)
    except browser.DRIVER_ERRORS as exc:
        raise TransientCaptureError("capture browser could not start") from exc
    # Waiting here is the previous capture's reset (or a browser starting): time no page step shows.
    acquired = round(time.monotonic() - waited, 4)
    scope = Scope(allowed, resolver_for(config.dns_server), limits.max_bytes, header_timeout=limits.page_load_budget)
    session.proxy.begin(scope)
    watchdog = Watchdog(session, started + limits.deadline - limits.kill_margin)
    recorder = Recorder(session, scope, config, started, _pool)
    recorder.result.timings["acquire"] = acquired
    page_fault = False
    try:
        result = recorder.run(url) if document is None else recorder.run_document(url, document)
    except Exception as exc:
        fault = None if watchdog.fired.is_set() else _page_fault(exc, session)
        if watchdog.fired.is_set():
            result = recorder.partial(Reason(reasons.TIMED_OUT, {"seconds": f"{limits.deadline:g}"}))
        elif fault is not None:
            logger.warning("%s stopped its own capture (%s); replacing the browser", url, fault.code)
            result = recorder.stopped(fault)
            page_fault = True
        else:
            watchdog.cancel()
            browser.discard(session)
            if isinstance(exc, browser.DRIVER_ERRORS):
                raise TransientCaptureError("capture browser failed") from exc
            raise
    finally:
        watchdog.cancel()
        session.proxy.end()
    result.timings["total"] = time.monotonic() - started
    # Reset or tear down in the background: the caller stores artifacts meanwhile, and the
    # next acquire() waits for this to finish.
    if watchdog.fired.is_set() or session.broken or page_fault:
        browser.replace_later(session, config)
    else:
        origins = [_origin(u) for u in (url, result.final_url) if _origin(u)]
        threading.Thread(
            target=browser.release, args=(session, origins, config),
            kwargs={"new_renderer": uploaded is not None}, name="capture-reset", daemon=True,
        ).start()
    return result


def _page_fault(exc: Exception, session: browser.BrowserSession) -> Reason | None:
    """The reason when `exc` was the page's doing and the browser itself still answers."""
    code = _PAGE_FAULTS.get(type(exc))
    if code is None or not session.answers():
        return None
    return Reason(code)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


__all__ = ["capture", "precheck"]
