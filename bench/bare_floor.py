"""The floor the capture benches measure against: a bare warm Chromium making the five outputs untouched.

One Selenium session (Debian's /usr/bin/chromium and /usr/bin/chromedriver, named explicitly so
Selenium Manager never runs) loads the page and asks Chromium for what a capture keeps, exactly
as Chromium hands it over: a full-page PNG screenshot at the capture width, the DOM
(outerHTML), MHTML (Page.captureSnapshot), a PDF (Page.printToPDF) and the text (innerText).
Nothing is decoded, encoded, cleaned or stored: encoding, the offline copy, thumbnails, the
proxy and bookkeeping are the product's own overhead and belong on its side of the ratio.

The screenshot is shot the way the engine shoots it (capture/artifacts.py): the viewport grows
to the page's full height (at most the default 15,000 px) at the engine's 1280 px width, then
one clip of that size.

No Django here: the floor runs in plain processes, side by side with the site or without it.
"""

from __future__ import annotations

import base64
import multiprocessing
import queue
import tempfile
import time
from dataclasses import dataclass

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1280, 800  # capture.browser.VIEWPORT
MAX_SCREENSHOT_HEIGHT = 15_000  # CAPTURE_MAX_SCREENSHOT_HEIGHT's default
MAX_PDF_PAGES = 50  # CAPTURE_MAX_PDF_PAGES's default
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OUTPUTS = ("screenshot", "dom", "mhtml", "pdf", "text")

_PAGE_SIZE = """
const root = document.documentElement, body = document.body;
return [Math.max(root.scrollWidth, body ? body.scrollWidth : 0),
        Math.max(root.scrollHeight, body ? body.scrollHeight : 0)];
"""


class FloorError(RuntimeError):
    """The bare browser did not make all five outputs: its figure would not be a floor."""


def floor_driver(profile: str) -> webdriver.Chrome:
    """A bare headless Chromium at the capture's window size; pages load to their load event."""
    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
        f"--window-size={WIDTH},{HEIGHT}", f"--user-data-dir={profile}",
        # Loopback pages bypass a proxy; this dead one keeps the browser's own background
        # traffic (updates, variations) on this machine.
        "--disable-background-networking", "--proxy-server=http://127.0.0.1:9",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


def floor_capture(driver: webdriver.Chrome, url: str) -> dict[str, int]:
    """The five outputs as Chromium returns them; their sizes (characters of what came back)."""
    driver.get(url)
    width, height = driver.execute_script(_PAGE_SIZE)
    width, height = min(int(width) or WIDTH, WIDTH), min(max(1, int(height)), MAX_SCREENSHOT_HEIGHT)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    try:
        png = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})["data"]
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    outputs = {
        "screenshot": png,
        "dom": driver.execute_script("return document.documentElement.outerHTML"),
        "mhtml": driver.execute_cdp_cmd("Page.captureSnapshot", {"format": "mhtml"})["data"],
        "pdf": driver.execute_cdp_cmd("Page.printToPDF",
                                      {"printBackground": True, "pageRanges": f"1-{MAX_PDF_PAGES}"})["data"],
        "text": driver.execute_script("return document.body.innerText"),
    }
    empty = [name for name in OUTPUTS if not outputs[name]]
    if empty:
        raise FloorError(f"bare browser made no {', '.join(empty)} for {url}")
    # Only the first bytes are decoded, to know it is a PNG; the rest stays as Chromium sent it.
    if base64.b64decode(png[:12])[:8] != PNG_SIGNATURE:
        raise FloorError(f"bare browser's screenshot of {url} is not a PNG")
    return {name: len(value) for name, value in outputs.items()}


class FloorBrowser:
    """One warm bare browser in this process, with a profile folder that goes when it quits."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="bench-floor-")
        self.driver = floor_driver(self._folder.name)

    def capture(self, url: str) -> float:
        """Seconds for the five outputs of `url`."""
        started = time.perf_counter()
        floor_capture(self.driver, url)
        return time.perf_counter() - started

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            self._folder.cleanup()


@dataclass
class BurstResult:
    captures: int
    seconds: float

    @property
    def per_minute(self) -> float:
        return self.captures / self.seconds * 60


def _burst_browser(warm: list[str], work, reports, go) -> None:
    """A spawned process: warm a browser on every page, say so, then take URLs off `work` until it is empty."""
    browser = None
    try:
        browser = FloorBrowser()
        for url in warm:
            browser.capture(url)
        reports.put(("ready", 0, 0.0))
        go.wait()
        done, finished = 0, time.monotonic()
        while (url := work.get()) is not None:
            browser.capture(url)
            done, finished = done + 1, time.monotonic()
        reports.put(("done", done, finished))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which stops the bench
        reports.put((f"{type(exc).__name__}: {exc}", 0, 0.0))
    finally:
        if browser is not None:
            browser.quit()


def floor_burst(urls: list[str], warm: list[str], browsers: int = 2, timeout: float = 600) -> BurstResult:
    """`urls` shared by `browsers` warm bare browsers in separate processes, from one common queue.

    The clock starts when every browser is warm and the queue is released, and stops when the
    last capture ends (CLOCK_MONOTONIC is the same clock in every process).
    """
    context = multiprocessing.get_context("spawn")
    work, reports, go = context.Queue(), context.Queue(), context.Event()
    for url in [*urls, *[None] * browsers]:
        work.put(url)
    processes = [context.Process(target=_burst_browser, args=(warm, work, reports, go)) for _ in range(browsers)]
    for process in processes:
        process.start()
    try:
        _wait_for(reports, processes, "ready", timeout)
        started = time.monotonic()
        go.set()
        finished = _wait_for(reports, processes, "done", timeout)
    finally:
        go.set()
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    done = sum(count for count, _end in finished)
    if done != len(urls):
        raise FloorError(f"bare browsers made {done} of {len(urls)} captures")
    return BurstResult(done, max(end for _count, end in finished) - started)


def _wait_for(reports, processes: list, word: str, timeout: float) -> list[tuple[int, float]]:
    """One `word` report from every process; an error or a process that died stops the bench."""
    got: list[tuple[int, float]] = []
    deadline = time.monotonic() + timeout
    while len(got) < len(processes):
        try:
            said, count, moment = reports.get(timeout=1)
        except queue.Empty:
            if any(not process.is_alive() for process in processes):
                raise FloorError("a bare browser's process died") from None
            if time.monotonic() > deadline:
                raise FloorError(f"bare browsers not {word} after {timeout:.0f} s") from None
            continue
        if said != word:
            raise FloorError(f"bare browser: {said}")
        got.append((count, moment))
    return got
