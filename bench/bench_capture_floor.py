"""How much the capture engine adds over the bare minimum, on a local Chinese report page.

The floor is a plain warm Selenium Chromium doing the same work with nothing else: load the page,
full-page screenshot encoded as WebP plus a thumbnail, rendered DOM, MHTML, PDF and text. Ours
is `capture.engine.capture()`, which also routes every request through the filtering proxy,
settles lazy images, builds the sanitised offline HTML and fetches the favicon. Runs alternate
between the two so that load from anything else on the machine hits both alike.

Usage: .venv/bin/python bench/bench_capture_floor.py [runs] [page]   (page: report.html or
report_gbk.html). Prints medians and their ratio; asserts nothing.
"""

from __future__ import annotations

import base64
import io
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkhome.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from PIL import Image  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

from capture import browser  # noqa: E402
from capture.engine import capture  # noqa: E402
from capture.results import CaptureLimits  # noqa: E402
from snapshots.tasks.engine import capture_config  # noqa: E402
from tests.pages.server import FixtureServer  # noqa: E402


def floor_driver(profile: str) -> webdriver.Chrome:
    options = Options()
    options.binary_location = settings.CHROMIUM_BINARY
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--window-size=1280,800", "--hide-scrollbars",
                     f"--user-data-dir={profile}",
                     # keep the browser's own background traffic on loopback (a dead port)
                     "--proxy-server=http://127.0.0.1:9"):
        options.add_argument(argument)
    return webdriver.Chrome(options=options, service=Service(settings.CHROMEDRIVER_BINARY))


def floor_capture(driver: webdriver.Chrome, url: str) -> dict[str, int]:
    """The bare steps: what any script producing the same outputs must do at least."""
    driver.get(url)  # waits for the load event
    height = min(15_000, driver.execute_script("return document.documentElement.scrollHeight"))
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}})
    image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
    webp = io.BytesIO()
    image.save(webp, "WEBP", quality=80, method=0)
    thumb = io.BytesIO()
    image.crop((0, 0, 1280, 960)).resize((400, 300)).save(thumb, "WEBP", quality=75, method=0)
    dom = driver.execute_script("return document.documentElement.outerHTML")
    mhtml = driver.execute_cdp_cmd("Page.captureSnapshot", {"format": "mhtml"})["data"]
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True, "pageRanges": "1-50"})["data"]
    text = driver.execute_script("return document.body.innerText")
    return {"webp": len(webp.getvalue()), "dom": len(dom), "mhtml": len(mhtml), "pdf": len(pdf), "text": len(text)}


def floor_sequential_median(url: str, runs: int) -> float:
    """Median seconds of the bare steps with one warm browser."""
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as folder:
        driver = floor_driver(folder)
        try:
            floor_capture(driver, url)
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                floor_capture(driver, url)
                times.append(time.perf_counter() - started)
        finally:
            driver.quit()
    return statistics.median(times)


def _floor_loop(url: str, seconds: float) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as folder:
        driver = floor_driver(folder)
        try:
            floor_capture(driver, url)
            done, deadline = 0, time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                floor_capture(driver, f"{url}?floor={done}")
                done += 1
        finally:
            driver.quit()
    return done


def floor_parallel_per_minute(url: str, browsers: int = 2, seconds: float = 30.0) -> float:
    """Captures per minute of `browsers` warm bare browsers in separate processes side by side."""
    with ProcessPoolExecutor(max_workers=browsers, mp_context=get_context("spawn")) as pool:
        counts = list(pool.map(_floor_loop, [url] * browsers, [seconds] * browsers))
    return sum(counts) / seconds * 60


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    page = sys.argv[2] if len(sys.argv) > 2 else "report.html"
    server = FixtureServer().start()
    url = server.url("/" + page)
    with tempfile.TemporaryDirectory(prefix="bench-capture-") as folder:
        config = replace(
            capture_config(),
            limits=CaptureLimits(deadline=45, page_load_budget=20),
            allowed_origins=(server.origin,),
            profile_root=Path(folder) / "engine",
        )
        started = time.perf_counter()
        browser.prewarm(config)
        print(f"engine cold start (prewarm): {time.perf_counter() - started:.3f} s")
        driver = floor_driver(str(Path(folder) / "floor"))
        try:
            for _ in range(2):  # warm both: fonts, caches, JIT
                floor_capture(driver, url)
                assert capture(url, config).ok
            floor_times, our_times, steps = [], [], []
            for _ in range(runs):
                started = time.perf_counter()
                floor_capture(driver, url)
                floor_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                result = capture(url, config)
                our_times.append(time.perf_counter() - started)
                steps.append(result.timings)
                if not result.ok:
                    print("capture failed:", result.error)
        finally:
            driver.quit()
            browser.shutdown()
            server.stop()
    floor, ours = statistics.median(floor_times), statistics.median(our_times)
    print(f"page: {page}, runs: {runs}, load average: {os.getloadavg()[0]:.2f}")
    print(f"floor (bare warm Selenium) median: {floor * 1000:.0f} ms  (min {min(floor_times) * 1000:.0f} ms)")
    print(f"ours  (capture())          median: {ours * 1000:.0f} ms  (min {min(our_times) * 1000:.0f} ms)")
    print(f"ratio ours/floor: {ours / floor:.2f}")
    names = [k for k in steps[0] if k != "total"]
    print("our steps (median ms): " + ", ".join(
        f"{name} {statistics.median(s.get(name, 0.0) for s in steps) * 1000:.0f}" for name in names))


if __name__ == "__main__":
    main()
