"""The two ways bench_fidelity renders a page: live, and an offline copy as a reader opens it.

Both use Debian's Chromium at 1280 x 800 CSS px (the capture viewport) and take the full page
the same way: the viewport is stretched to the document's height (at most MAX_HEIGHT) and one
screenshot is taken, so fixed and sticky elements appear once, where a reader at the top sees
them.

- Live: JavaScript on, nothing blocked. The page is scrolled through once, as a reader would,
  so scroll handlers and IntersectionObservers load their images; then back to the top, and the
  shot is taken once every image has finished and the fonts are ready (or after 5 s).
- Offline: JavaScript off (the content setting, which covers every frame), and every request
  except those to the one origin serving the copy goes to a proxy that does not exist, so
  nothing can reach the network even where the copy's CSP would let it. Every request the copy
  makes is counted from Chromium's own Network events (the performance log), including those
  the CSP blocks, which Chromium reports before refusing them. Not counted: the copy's own URL,
  `data:`/`blob:`/`about:` addresses (no network) and the browser's own /favicon.ico for the
  serving origin (the product shows the copy in a frame, where no favicon is asked for).
"""

from __future__ import annotations

import base64
import json
import math
import time
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

WIDTH, HEIGHT = 1280, 800
MAX_HEIGHT = 12_000
READY_WITHIN = 5.0
_NOT_NETWORK = ("data:", "blob:", "about:", "chrome:", "devtools:")


def _driver(extra: list[str], javascript: bool) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--force-device-scale-factor=1", "--font-render-hinting=none", f"--window-size={WIDTH},{HEIGHT}",
                 *extra):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


def full_page(driver: webdriver.Chrome) -> bytes:
    """The whole document at 1280 px wide as PNG bytes (cut at MAX_HEIGHT)."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    height = min(MAX_HEIGHT, max(HEIGHT, math.ceil(size["height"])))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False})
    try:
        _wait_ready(driver)  # images that were below the fold (loading=lazy) load now
        data = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})["data"]
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return base64.b64decode(data)


_READY = """return document.readyState === "complete" && document.fonts.status === "loaded"
  && [...document.images].every(i => i.complete);"""


def _wait_ready(driver: webdriver.Chrome) -> bool:
    ends = time.monotonic() + READY_WITHIN
    while time.monotonic() < ends:
        if driver.execute_script(_READY):
            return True
        time.sleep(0.05)
    return False


class LiveBrowser:
    """JavaScript on, network open: the page as its reader saw it."""

    def __init__(self) -> None:
        self.driver = _driver([], javascript=True)

    def shot(self, url: str) -> bytes:
        driver = self.driver
        driver.get(url)
        _wait_ready(driver)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        for y in range(0, min(height, MAX_HEIGHT), HEIGHT // 2):
            driver.execute_script("window.scrollTo(0, arguments[0])", y)
            time.sleep(0.06)  # a frame or two for scroll handlers and IntersectionObservers to run
        driver.execute_script("window.scrollTo(0, 0)")
        _wait_ready(driver)
        return full_page(driver)

    def quit(self) -> None:
        self.driver.quit()


class OfflineBrowser:
    """JavaScript off, only `serving_origin` reachable; counts what a copy asks for."""

    def __init__(self, serving_origin: str, headers: dict[str, str]) -> None:
        host = urlsplit(serving_origin).netloc
        # 127.0.0.1:9 (discard) has no listener: every proxied request fails at once. Loopback
        # is normally never proxied; "<-loopback>" removes that, so only `host` goes direct.
        self.driver = _driver(["--proxy-server=http://127.0.0.1:9", f"--proxy-bypass-list=<-loopback>;{host}"],
                              javascript=False)
        self.origin = serving_origin
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": headers})

    def shot(self, url: str) -> tuple[bytes, list[str]]:
        """The full page of the copy at `url`, and the addresses it requested."""
        driver = self.driver
        driver.get_log("performance")  # drop what an earlier page left
        driver.get(url)
        _wait_ready(driver)
        png = full_page(driver)
        return png, self._requests(url)

    def _requests(self, url: str) -> list[str]:
        found = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] != "Network.requestWillBeSent":
                continue
            address = message["params"]["request"]["url"]
            if address == url or address.startswith(_NOT_NETWORK) or address == f"{self.origin}/favicon.ico":
                continue
            found.append(address)
        return found

    def quit(self) -> None:
        self.driver.quit()
