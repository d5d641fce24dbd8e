"""A reader copy made later, from a capture's stored HTML, in the warm capture browser.

The stored file is put into a blank tab with the page's scripts switched off, and Readability
runs in an isolated world exactly as at capture time. Nothing is fetched: outside a capture
the filtering proxy refuses every request, and the stored offline copy carries its images
as data: URIs and a Content-Security-Policy of its own.
"""

from __future__ import annotations

from capture import browser
from capture.reader import document, inpage
from capture.results import Artifact, CaptureConfig

EXTRACT_TIMEOUT = 15.0  # seconds for Readability on a stored page


def _no_fetch(url: str) -> None:
    """Images the stored file does not hold inline are left out; nothing is fetched for them."""
    return None


def from_stored(html: bytes, url: str, title: str, language: str, config: CaptureConfig) -> tuple[Artifact, str] | None:
    """The reader artifact and its text for a stored HTML file of `url`; None when it has no main content.

    Raises the driver's exceptions when the browser breaks (the caller may try again later).
    """
    session = browser.acquire(config)
    driver = session.driver
    try:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        driver.execute_cdp_cmd("Page.setDocumentContent",
                               {"frameId": session.top_frame, "html": html.decode("utf-8", errors="replace")})
        article = inpage.extract(driver, EXTRACT_TIMEOUT, session.top_frame)
    finally:
        try:
            driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
        finally:
            browser.release(session, [], config)
    if article is None:
        return None
    article.url = url  # the tab's own address is about:blank; links resolve against the page's
    data, text = document.build(article, _no_fetch, title=title, language=language)
    return Artifact(data, "reader.html", "text/html; charset=utf-8"), text
