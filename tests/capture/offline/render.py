"""Opening an offline copy in the capture browser, scripts on, and seeing what it shows and asks for.

Every request the browser makes goes through its filtering proxy, which remembers each one
(refused ones included), so comparing the proxy's list before and after is a real count of the
requests the copy made. The copy is opened as a data: URL, which itself needs no request.
"""

from __future__ import annotations

import base64
import time

from capture import browser
from capture.results import CaptureConfig

LOAD_DEADLINE = 3.0  # seconds for a copy with everything inline to finish loading


def _wait(driver) -> None:
    ends = time.monotonic() + LOAD_DEADLINE
    while time.monotonic() < ends:
        if driver.execute_script(
            "return document.readyState === 'complete' && Array.from(document.images).every(i => i.complete)"
        ):
            return
        time.sleep(0.02)
    raise AssertionError("the offline copy did not finish loading")


def open_copy(html: bytes, config: CaptureConfig, script: str) -> tuple[object, int]:
    """`script`'s value in the opened copy (after fonts are ready) and the requests the copy made."""
    session = browser.acquire(config)
    driver = session.driver
    before = len(session.proxy.destinations())
    try:
        driver.get("data:text/html;base64," + base64.b64encode(html).decode())
        _wait(driver)
        driver.set_script_timeout(LOAD_DEADLINE)
        value = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            f"document.fonts.ready.then(() => done((() => {{ {script} }})()));"
        )
        return value, len(session.proxy.destinations()) - before
    finally:
        driver.get("about:blank")


def in_frames(html: bytes, config: CaptureConfig, script: str) -> list:
    """`script`'s value in each frame of the opened copy, depth first (frames are opaque to the parent)."""
    session = browser.acquire(config)
    driver = session.driver
    values: list = []

    def walk() -> None:
        values.append(driver.execute_script(script))
        for index in range(len(driver.find_elements("css selector", "iframe"))):
            driver.switch_to.frame(index)
            walk()
            driver.switch_to.parent_frame()

    try:
        driver.get("data:text/html;base64," + base64.b64encode(html).decode())
        _wait(driver)
        walk()
        return values
    finally:
        driver.switch_to.default_content()
        driver.get("about:blank")
