"""The steps of one capture on a live page, keeping everything gathered so far.

Keeping partial results is what lets a capture that hits its deadline during the PDF still
succeed with the screenshot, DOM and text it already has.

A page may navigate itself while it is being captured (location.replace, a meta refresh, a
timer). Every artifact must come from one document. Once it has loaded and settled, the page's
own scripts are frozen, so it stays put while it is read, shot, serialised and printed. A
navigation before that, or one no script makes (a meta refresh), replaces the document: when a
step fails because its document went away, or the document at the end is another one, what
was taken is dropped and the new document is captured from its load wait on, within the same
deadline. A page that is still replacing itself after MAX_DOCUMENTS documents fails as never
settled.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import urljoin

from selenium.common.exceptions import WebDriverException

from capture import artifacts, fetch, originals, page, reasons
from capture.artifacts import inert_dom
from capture.browser import VIEWPORT, BrowserSession
from capture.offline import build as offline_build
from capture.offline import inpage as offline_inpage
from capture.offline.resources import Resources
from capture.overlays import inpage as overlays
from capture.page import safe_title
from capture.proxy_scope import Scope
from capture.reader import document as reader_document
from capture.reader import inpage
from capture.reasons import Reason, navigation_error
from capture.results import Artifact, CaptureConfig, CaptureResult
from capture.sources import upload

logger = logging.getLogger(__name__)

SETTLE_BUDGET = 2.0  # seconds for lazy images after load
# Seconds that must be left before the deadline to start the reader copy: finding it and then
# parsing the page's MHTML for its images cost more than a second on a 20 MB page, and the
# copy is the one artifact a capture may go without.
READER_MIN_LEFT = 3.0
# Seconds for pinning fixed elements and hiding overlays before the screenshot; a page that
# needs longer (tens of thousands of them) is shot as it is.
PREPARE_BUDGET = 2.0
SERIALISE_MAX_CHARS = 4_000_000  # a larger DOM's offline copy is made from the MHTML alone
# A conservative pace of parsing a page's MHTML and building its copies on a busy machine (a 20 MB
# page's offline copy took 0.3-0.5 s on a quiet one): copies that would not be done before the
# browser is killed are not begun.
COPY_CHARS_PER_SECOND = 10_000_000
MAX_DOCUMENTS = 5  # documents a self-navigating page may go through before it counts as never settled
FAVICON_MAX_BYTES = 512 * 1024



def wait_all(futures: dict[str, Future], until: float) -> dict[str, object]:
    """Results of the futures that finish before `until`; failures are logged and left out."""
    done: dict[str, object] = {}
    for name, future in futures.items():
        try:
            done[name] = future.result(timeout=max(0.0, until - time.monotonic()))
        except TimeoutError:
            logger.warning("capture step %s did not finish in time", name)
        except fetch.FetchError as exc:
            logger.info("capture step %s failed: %s", name, exc)
        except Exception:
            logger.exception("capture step %s failed", name)
    return done


class Recorder:
    def __init__(self, session: BrowserSession, scope: Scope, config: CaptureConfig, started: float,
                 pool: ThreadPoolExecutor):
        self.session = session
        self.driver = session.driver
        self.scope = scope
        self.limits = config.limits
        self.answer_within = config.limits.page_answer_timeout
        self.title_max_length = config.title_max_length
        self.hide_overlays = config.hide_overlays
        self.deadline = started + config.limits.deadline
        self.pool = pool
        self.result = CaptureResult(ok=False)
        self.futures: dict[str, Future] = {}
        self._raw_screenshot = b""
        self._frozen = False
        self._saved_url = ""  # the URL an uploaded document was saved from; empty for a live page

    def _mark(self, step: str, since: float) -> float:
        now = time.monotonic()
        self.result.timings[step] = round(now - since, 4)
        return now

    def _fail(self, error: Reason) -> CaptureResult:
        self.result.ok = False
        self.result.error = error
        return self.result

    def run_document(self, url: str, html: str) -> CaptureResult:
        """Capture a document the reader uploaded (prepared by capture.sources.upload) as saved from `url`.

        Its scripts are off from the start and it has nothing left that could navigate, so a
        replaced document means something went wrong: it fails rather than capture another page.
        """
        t = time.monotonic()
        self._saved_url = url
        upload.show(self.driver, html, self.session.top_frame)
        self._mark("navigate", t)
        try:
            return self._document()
        except page.DocumentReplaced:
            return self._fail(Reason(reasons.PAGE_NEVER_SETTLED))

    def run(self, url: str) -> CaptureResult:
        t = time.monotonic()
        reply = self.driver.execute_cdp_cmd("Page.navigate", {"url": url})
        self._mark("navigate", t)
        if reply.get("errorText"):
            if reply.get("isDownload"):
                return self._original(url, status=None)
            return self._fail(navigation_error(reply["errorText"], self.scope.events()))
        for _document in range(MAX_DOCUMENTS):
            try:
                return self._document()
            except page.DocumentReplaced:
                logger.info("page navigated itself during capture; capturing the new document")
                self._start_over()
        return self._fail(Reason(reasons.PAGE_NEVER_SETTLED))

    def _start_over(self) -> None:
        """Drop what was taken of a document that has been replaced; keep the timings."""
        for future in self.futures.values():
            future.cancel()
        self.futures = {}
        self._raw_screenshot = b""
        self.result = CaptureResult(ok=False, timings=self.result.timings)

    def _document(self) -> CaptureResult:
        """Capture the current document, or raise DocumentReplaced if it went away meanwhile."""
        t = time.monotonic()
        if self._frozen:  # a document that replaced a frozen one loads with its scripts, as any page does
            page.freeze(self.driver, False)
            self._frozen = False
        budget = min(self.limits.page_load_budget, max(0.5, self.deadline - time.monotonic() - 2))
        if not page.wait_for_load(self.driver, budget, self.answer_within):
            # Stop the transfer: what is there is what gets captured, without the rest of the
            # download competing for the CPU with rendering.
            page.command(self.driver, "Page.stopLoading")
            self.result.notes.append(Reason(reasons.STILL_LOADING))
        t = self._mark("load", t)
        found = page.probe(self.driver, self.answer_within)
        if found.error_code:
            return self._fail(navigation_error(found.error_code, self.scope.events()))
        if originals.is_original(found.content_type):
            return self._original(found.url, found.status)
        try:
            failed = self._steps(found.document, t)
        except WebDriverException as exc:
            # A step can fail in many words when its document is torn down under it
            # ("Printing failed"); whether the page moved on decides what it was.
            if self._still(found.document):
                raise
            raise page.DocumentReplaced from exc
        if failed:
            return failed
        if not self._still(found.document):
            raise page.DocumentReplaced
        return self._finish()

    def _still(self, document: float) -> bool:
        """True when `document` is still the one shown."""
        try:
            return page.probe(self.driver, self.answer_within).document == document
        except page.DocumentReplaced:
            return False

    def _steps(self, document: float, t: float) -> CaptureResult | None:
        """Every artifact of the current document; a failed result when it turned out to be an error."""
        settle_budget = min(SETTLE_BUDGET, max(0.0, self.deadline - time.monotonic() - 3))
        if settle_budget > 0 and page.settle(self.driver, self.limits.max_screenshot_height, settle_budget,
                                             self.answer_within) != 0:
            self.result.notes.append(Reason(reasons.IMAGES_NOT_LOADED))
        page.freeze(self.driver)
        self._frozen = True
        t = self._mark("settle", t)
        facts = page.read(self.driver, self.deadline - time.monotonic(), self.answer_within)
        if facts.document != document:
            raise page.DocumentReplaced
        if facts.is_error_page:
            return self._fail(navigation_error(facts.error_code, self.scope.events()))
        if self._saved_url:  # the tab shows it at about:blank; it stands for the page at its URL
            facts.url = self._saved_url
        self._record_facts(facts)
        t = self._mark("read", t)
        self._screenshot(facts)
        t = self._mark("screenshot", t)
        self._favicon(facts)
        dom, text = page.content(self.driver, self.deadline - time.monotonic(), self.answer_within)
        self.result.text = text
        self.futures["dom"] = self.pool.submit(inert_dom, dom)
        self.result.artifacts["text"] = Artifact(text.encode("utf-8"), "text.txt", "text/plain; charset=utf-8")
        t = self._mark("content", t)
        mhtml = page.command(self.driver, "Page.captureSnapshot", {"format": "mhtml"})["data"]
        t = self._mark("mhtml", t)
        left = self.deadline - self.limits.kill_margin - time.monotonic()
        if left >= len(mhtml) / COPY_CHARS_PER_SECOND:
            # The MHTML's parts are parsed once, for the offline copy and the reader copy's images.
            parts = self.pool.submit(self._parse, mhtml.encode("utf-8"), self.result.charset)
            self._offline(parts, offline_inpage.held_urls(mhtml), len(dom))
            t = self._mark("offline", t)
            self._reader(parts)
            t = self._mark("reader", t)
        else:
            # Parsing and cleaning a page this big hold the interpreter in long single calls: begun
            # now, they would keep the capture from handing over what it has when the browser is killed.
            logger.info("no offline or reader copy: %.1f s left for %d characters of MHTML", left, len(mhtml))
        pdf = artifacts.print_pdf(self.driver, self.limits.max_pdf_pages)
        self.result.artifacts["pdf"] = Artifact(pdf, "page.pdf", "application/pdf")
        self._mark("pdf", t)
        return None

    def _parse(self, mhtml: bytes, charset: str) -> Resources:
        """The MHTML's parts, on the pool; timed there, as this thread's steps do not show it."""
        started = time.monotonic()
        try:
            return Resources(mhtml, charset)
        finally:
            self.result.timings["offline_parse"] = round(time.monotonic() - started, 4)

    def _offline(self, parts: Future, held: set[str], dom_chars: int) -> None:
        """The offline copy: the live page serialised here, built from it on a worker thread.

        When serialising fails (a page that broke the DOM's own methods cannot, in an isolated
        world; a page too big for the time left can), the copy is built from the MHTML alone.
        So is a huge document: handing megabytes over DevTools costs seconds on this thread
        (4.5 s for a 20 MB page), and such pages are plain text, which the MHTML keeps as well.
        """
        marker = offline_inpage.nonce()
        timeout = min(10.0, max(0.5, self.deadline - time.monotonic() - 3))
        serialised = None
        try:
            if dom_chars <= SERIALISE_MAX_CHARS:
                serialised = offline_inpage.serialize(self.driver, marker, timeout, self.session.top_frame)
        except WebDriverException as exc:
            if page.navigated(exc):
                raise page.DocumentReplaced from exc
            logger.warning("offline copy from the MHTML alone: %s", exc)
        extra, skipped = offline_inpage.browser_resources(self.driver, held, self.limits.offline_max_bytes,
                                                          offline_inpage.sprites(serialised))
        title, language, budget = self.result.title, self.result.language, self.limits.offline_max_bytes
        self.futures["html"] = self.pool.submit(
            lambda: offline_build.make(parts.result(), serialised, extra, skipped, marker, title, language, budget)
        )

    def _reader(self, parts: Future) -> None:
        """The reader copy: the main content found in the page now, built on a worker thread.

        A page without main content, or an extraction that fails, costs the reader copy only;
        so does a capture already close to its deadline.
        """
        if self.deadline - time.monotonic() < READER_MIN_LEFT:
            logger.info("no reader copy: too close to the deadline")
            return
        try:
            article = inpage.extract(self.driver, min(5.0, max(0.5, self.deadline - time.monotonic() - 3)),
                                     self.session.top_frame)
        except (WebDriverException, inpage.ReadabilityMissing) as exc:
            logger.warning("no reader copy: %s", exc)
            return
        if article is not None:
            title, language = self.result.title, self.result.language
            self.futures["reader"] = self.pool.submit(
                lambda: reader_document.from_capture(article, parts.result(), title, language)
            )

    def _record_facts(self, facts: page.PageFacts) -> None:
        r = self.result
        r.ok = True
        r.final_url = facts.url
        r.http_status = facts.status
        r.content_type = facts.content_type
        r.title = safe_title(facts.title, self.title_max_length)
        r.description = " ".join(facts.description.split())  # the caller cuts fields to its limits
        r.language = facts.language.strip()
        r.charset = facts.charset

    def _screenshot(self, facts: page.PageFacts) -> None:
        width, height, world = facts.width, facts.height, None
        t = time.monotonic()
        try:
            world = overlays.world(self.driver, self.session.top_frame)
            prepared = overlays.prepare(self.driver, world, facts.url, self.hide_overlays, PREPARE_BUDGET)
            width, height = prepared.width or width, prepared.height or height
            self.result.notes.extend(prepared.notes())
        except (WebDriverException, RuntimeError) as exc:  # the page is shot as it is
            logger.warning("could not prepare the page for its screenshot: %s", exc)
            if world is not None:
                overlays.restore(self.driver, world, self.answer_within)
                world = None
        self._mark("overlays", t)
        plan = artifacts.plan_screenshot(width, height, VIEWPORT[0], self.limits.max_screenshot_height)
        if plan.cut:
            # "15,000": the parameter is printed as it is, and this is how the note always showed it.
            self.result.notes.append(Reason(reasons.SCREENSHOT_CUT, {"px": f"{self.limits.max_screenshot_height:,}"}))
        try:
            raw = artifacts.capture_screenshot(self.driver, plan)
        finally:
            if world is not None:  # the DOM, offline copy and PDF are of the page as served
                t = time.monotonic()
                overlays.restore(self.driver, world, self.answer_within)
                self._mark("overlays_restore", t)
        self._raw_screenshot = raw
        self.futures["images"] = self.pool.submit(artifacts.screenshot_artifacts, raw)

    def _favicon(self, facts: page.PageFacts) -> None:
        icon = facts.icon or urljoin(facts.url, "/favicon.ico")
        if not icon.startswith(("http://", "https://")):
            return
        until = min(self.deadline - 1, time.monotonic() + 5)
        self.futures["favicon"] = self.pool.submit(fetch.fetch, icon, self.session.proxy.port,
                                                   FAVICON_MAX_BYTES, until)

    def _collect(self, until: float) -> None:
        done = wait_all(self.futures, until)
        self.futures = {}
        if "images" in done:
            self.result.artifacts.update(done["images"])
        elif self._raw_screenshot:  # out of time for the thumbnail: the screenshot is kept all the same
            self.result.artifacts["screenshot"] = Artifact(self._raw_screenshot, "screenshot.jpg", "image/jpeg")
        if isinstance(done.get("html"), offline_build.Built):
            self.result.artifacts["html"] = Artifact(done["html"].data, "page.html", "text/html; charset=utf-8")
            self.result.notes.extend(done["html"].notes)
            self.result.timings["offline_build"] = done["html"].seconds
        if isinstance(done.get("dom"), Artifact):
            self.result.artifacts["dom"] = done["dom"]
        if "reader" in done:
            self.result.artifacts["reader"], self.result.reader_text = done["reader"]
        icon = done.get("favicon")
        if isinstance(icon, fetch.Fetched) and icon.status == 200 and icon.content_type.startswith("image/"):
            favicon = originals.image_artifact("favicon", icon.data, icon.content_type, "img")
            if favicon:
                self.result.artifacts["favicon"] = favicon

    def _notes_from_proxy(self) -> None:
        blocked = [e for e in self.scope.events() if e.kind == "blocked"]
        if blocked:
            self.result.notes.append(Reason(reasons.REQUESTS_BLOCKED, {"count": len(blocked)}))
        if self.scope.limit_reached:
            mb = round(self.limits.max_bytes / 1048576)
            self.result.notes.append(Reason(reasons.DOWNLOAD_LIMIT_REACHED, {"mb": mb}))

    def _finish(self) -> CaptureResult:
        t = time.monotonic()
        self._collect(self.deadline - 0.2)
        self._mark("collect", t)  # waiting for the pool's work once Chromium is done
        self._notes_from_proxy()
        return self.result

    def stopped(self, error: Reason) -> CaptureResult:
        """The page stopped its own capture: a failure, and nothing taken of it is kept."""
        for future in self.futures.values():
            future.cancel()
        self.futures = {}
        return CaptureResult(ok=False, error=error, timings=self.result.timings)

    def partial(self, timeout_error: Reason) -> CaptureResult:
        """After the watchdog fired: keep what was captured, or fail with the timeout."""
        self._collect(self.deadline - 0.2)
        useful = self.result.ok and ("screenshot" in self.result.artifacts or self.result.text)
        if not useful:
            return CaptureResult(ok=False, error=timeout_error, notes=self.result.notes, timings=self.result.timings)
        missing = [k for k in ("screenshot", "html", "pdf") if k not in self.result.artifacts]
        if missing:
            self.result.notes.append(Reason(reasons.DEADLINE_REACHED_MISSING, {"missing": ", ".join(missing)}))
        else:
            self.result.notes.append(Reason(reasons.DEADLINE_REACHED))
        self._notes_from_proxy()
        return self.result

    def _original(self, url: str, status: int | None) -> CaptureResult:
        """The URL is a PDF or an image: keep the file itself, with a rendered preview."""
        t = time.monotonic()
        left = self.limits.max_bytes - self.scope.bytes_received
        try:
            got = fetch.fetch(url, self.session.proxy.port, max(0, left), self.deadline - 0.5)
        except fetch.FetchError as exc:
            return self._fail(navigation_error("", self.scope.events()) if self.scope.events() else exc.reason)
        refused = originals.keep(self.result, got, status, self.limits.max_pdf_pages, self.title_max_length)
        if refused:
            return self._fail(refused)
        self._mark("original", t)
        self._notes_from_proxy()
        return self.result
