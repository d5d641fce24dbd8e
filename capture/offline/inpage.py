"""Runs serialize.js in every frame of the page, and takes from the browser what MHTML leaves out.

Each frame gets an isolated world of its own. A frame the parent's script can read (same
origin) is serialised with its parent; any other is found by its DevTools frame id and gets a
world of its own, which works for every frame in the page's renderer process. A frame in
another process (site isolation) cannot be reached from the page's DevTools session: it is
left to the MHTML, which holds every frame's document as a part (build.py uses it).

Chromium's MHTML holds no fonts and leaves out some images (posters, images named only in a
srcset). Those images come from the resource tree (Page.getResourceContent) and the fonts from
the browser's HTTP cache: the bytes the browser has, never a second download.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import time
from functools import cache
from pathlib import Path

from selenium.common.exceptions import WebDriverException

logger = logging.getLogger(__name__)

SCRIPT = Path(__file__).with_name("serialize.js")
WORLD_NAME = "linkhome-offline"
REMOTE = "__linkhomeFrames"  # the isolated world's own global holding the frames it could not read
MAX_FRAMES = 40
MAX_DEPTH = 5
FONT_TIMEOUT_MS = 2000
SPRITE_WAIT = 0.5  # seconds an external SVG sprite still loading may take
_LOCATION = re.compile(r"^Content-Location:\s*(\S+)\s*$", re.MULTILINE | re.IGNORECASE)
# Each font as base64, or "" when the cache does not have it.
_FETCH_FONTS = """Promise.all(%s.map(url => fetch(url, {cache: 'force-cache'})
  .then(r => r.ok ? r.arrayBuffer() : new ArrayBuffer(0))
  .then(buffer => { const bytes = new Uint8Array(buffer); let out = '';
    for (let i = 0; i < bytes.length; i += 32768) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 32768));
    return btoa(out); })
  .catch(() => '')))"""


@cache
def _script() -> str:
    return SCRIPT.read_text(encoding="utf-8")


def nonce() -> str:
    return secrets.token_hex(8)


def serialize(driver, marker: str, timeout: float, top_frame: str) -> dict | None:
    """The page as serialize.js sees it from the tab's top frame (its id, `top_frame`), every frame
    it could reach included; None if it failed."""
    budget = {"frames": MAX_FRAMES}
    try:
        return _frame(driver, top_frame, marker, timeout, 0, budget)
    finally:
        if budget["frames"] < MAX_FRAMES:  # frames were looked up, each through a remote object
            try:
                driver.execute_cdp_cmd("Runtime.releaseObjectGroup", {"objectGroup": WORLD_NAME})
            except WebDriverException:
                pass


def _frame(driver, frame_id: str, marker: str, timeout: float, depth: int, budget: dict) -> dict | None:
    world = driver.execute_cdp_cmd("Page.createIsolatedWorld", {"frameId": frame_id, "worldName": WORLD_NAME})
    context = world["executionContextId"]
    reply = driver.execute_cdp_cmd("Runtime.evaluate", {
        "expression": f"({_script()})({json.dumps(marker)}, {json.dumps(REMOTE)})",
        "contextId": context,
        "returnByValue": True,
        "timeout": max(100, int(timeout * 1000)),
    })
    if reply.get("exceptionDetails"):
        logger.warning("offline copy: serialising a frame failed: %s", reply["exceptionDetails"].get("text"))
        return None
    value = reply.get("result", {}).get("value")
    if not isinstance(value, dict) or not isinstance(value.get("parts"), list):
        return None
    for part in value["parts"]:
        if isinstance(part, dict) and part.get("kind") == "remote":
            _remote(driver, part, context, marker, timeout, depth, budget)
    return value


def _remote(driver, part: dict, context: int, marker: str, timeout: float, depth: int, budget: dict) -> None:
    """Fill a frame the parent could not read: serialised in its own world, or named for the MHTML."""
    budget["frames"] -= 1
    if budget["frames"] < 0 or depth >= MAX_DEPTH:
        return
    try:
        found = driver.execute_cdp_cmd("Runtime.evaluate", {
            "expression": f"window[{json.dumps(REMOTE)}][{int(part.get('index', -1))}]",
            "contextId": context, "objectGroup": WORLD_NAME,
        })
        object_id = found.get("result", {}).get("objectId")
        if not object_id:
            return
        frame_id = driver.execute_cdp_cmd("DOM.describeNode", {"objectId": object_id})["node"].get("frameId")
    except WebDriverException as exc:
        logger.info("offline copy: frame not found: %s", exc)
        return
    if not frame_id:
        return
    part["frameId"] = frame_id
    try:
        child = _frame(driver, frame_id, marker, timeout, depth + 1, budget)
    except WebDriverException:  # another process: the MHTML has it
        return
    if child is not None:
        part.update(child, kind="run")


def held_urls(mhtml: str) -> set[str]:
    """The URLs the MHTML snapshot holds a part for, read from its part headers without parsing it."""
    return {m.strip() for m in _LOCATION.findall(mhtml)}


def sprites(page: dict | None) -> set[str]:
    """The external SVG files the page's <use> elements name, without their #fragments."""
    found: set[str] = set()
    runs = [page] if page else []
    while runs:
        for part in runs.pop().get("parts") or []:
            if isinstance(part, dict) and part.get("kind") == "svg":
                found.update(str(url).split("#", 1)[0] for url in part.get("externals") or [])
            elif isinstance(part, dict) and part.get("kind") == "run":
                runs.append(part)
    return found


def browser_resources(driver, held: set[str], max_bytes: int, sprite_urls: set[str] = frozenset()
                      ) -> tuple[dict[str, tuple[str, bytes]], int]:
    """What the page loaded that the MHTML lacks, by URL: fonts, and images it left out (posters,
    images named only in a srcset, SVG sprites); and how many were left out for `max_bytes`.

    An external sprite may still be on its way (the load event does not wait for <use>): it gets
    up to SPRITE_WAIT seconds more.
    """
    found: dict[str, tuple[str, bytes]] = {}
    try:
        tree = driver.execute_cdp_cmd("Page.getResourceTree", {})["frameTree"]
    except WebDriverException as exc:
        logger.info("offline copy: no resource tree: %s", exc)
        return found, 0
    left = {"bytes": max_bytes, "skipped": 0}
    fonts: dict[str, str] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        stack.extend(node.get("childFrames", []))
        frame_id = node["frame"]["id"]
        for resource in node.get("resources", []):
            url, kind = resource.get("url", ""), resource.get("type")
            if url in held or url in found or not url.startswith(("http:", "https:")):
                continue
            if resource.get("failed") or resource.get("canceled"):
                continue
            wanted = kind in ("Font", "Image") or resource.get("mimeType") == "image/svg+xml"  # sprites are "Other"
            if wanted and int(resource.get("contentSize") or 0) > left["bytes"]:
                left["skipped"] += 1
                continue
            if kind == "Font":
                fonts[url] = resource.get("mimeType", "")
            elif wanted:
                _content(driver, frame_id, url, resource.get("mimeType", ""), found, left)
    if fonts:
        _fonts(driver, tree["frame"]["id"], fonts, found, left)
    waiting = {url for url in sprite_urls if url not in found and url not in held}
    ends = time.monotonic() + SPRITE_WAIT
    while waiting and time.monotonic() < ends:
        for url in list(waiting):
            _content(driver, tree["frame"]["id"], url, "image/svg+xml", found, left)
            if url in found:
                waiting.discard(url)
        if waiting:
            time.sleep(0.05)  # polling the browser for a transfer it has not finished, within SPRITE_WAIT
    return found, left["skipped"]


def _keep(url: str, content_type: str, data: bytes, found: dict, left: dict[str, int]) -> None:
    if len(data) <= left["bytes"]:
        left["bytes"] -= len(data)
        found[url] = (content_type, data)
    else:
        left["skipped"] += 1


def _content(driver, frame_id: str, url: str, content_type: str, found: dict, left: dict[str, int]) -> None:
    try:
        got = driver.execute_cdp_cmd("Page.getResourceContent", {"frameId": frame_id, "url": url})
    except WebDriverException:
        return
    content = got.get("content", "")
    data = base64.b64decode(content) if got.get("base64Encoded") else content.encode("utf-8")
    _keep(url, content_type, data, found, left)


def _fonts(driver, frame_id: str, fonts: dict[str, str], found: dict, left: dict[str, int]) -> None:
    """Font files from the browser's HTTP cache, read by a fetch in an isolated world.

    DevTools hands over no font bytes (Page.getResourceContent finds no font resource), but the
    cache has them. The network is switched off meanwhile, so the fetch is answered by the cache
    or not at all: never a second download.
    """
    world = driver.execute_cdp_cmd("Page.createIsolatedWorld", {"frameId": frame_id, "worldName": WORLD_NAME})
    offline = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.enable", {})
    try:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", offline)
        reply = driver.execute_cdp_cmd("Runtime.evaluate", {
            "expression": _FETCH_FONTS % json.dumps(list(fonts)),
            "contextId": world["executionContextId"], "awaitPromise": True, "returnByValue": True,
            "timeout": FONT_TIMEOUT_MS,
        })
    except WebDriverException as exc:
        logger.info("offline copy: fonts not read: %s", exc)
        return
    finally:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {**offline, "offline": False})
        driver.execute_cdp_cmd("Network.disable", {})
    for url, encoded in zip(fonts, reply.get("result", {}).get("value") or [], strict=False):
        if encoded:
            _keep(url, fonts[url], base64.b64decode(encoded), found, left)
