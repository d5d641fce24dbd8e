"""What the engine asks of the loaded page, each in one WebDriver round trip.

Every round trip to chromedriver costs a few milliseconds, so waiting for load, settling lazy
images and reading all metadata are single scripts rather than many small calls.

A page can break these calls in three ways, and each gets its own exception. Its main thread
can stay busy (a script spinning in a loop): a script that should answer at once, or a wait
that should end on its own timer, then gets no answer (`PageUnresponsive`). Its scripts can
replace what ours use, so ours throw (`PageInterfered`). Or it can navigate itself to a new
document mid-call (`DocumentReplaced`). Each document is known by its `performance.timeOrigin`,
which a page cannot change and a same-document history change keeps.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass

from selenium.common.exceptions import JavascriptException, TimeoutException, WebDriverException

_REGIONAL_INDICATORS = "".join(chr(c) for c in range(0x1F1E6, 0x1F200))
HEARTBEAT = 0.5  # s: the load wait returns this often, so a page that stops answering shows at once
BLANK_WITHIN = 1.0  # s for a page to replace itself with a blank document after its capture
RESET_WORLD = "linkhome-reset"
CONFIRM_WITHIN = 0.5  # s for a trivial script after a timeout: a page that is not stuck answers in ms
# What chromedriver says when the document a command ran in went away under it.
_NAVIGATION_SIGNS = (
    "unload", "aborted by navigation", "not attached to an active page", "execution context was destroyed",
    "cannot find context with specified id", "inspected target navigated or closed", "no such execution context",
)


class PageUnresponsive(Exception):
    """The page's main thread did not answer in time: a script of the page keeps it busy."""


class PageInterfered(Exception):
    """The page's own scripts broke one of ours (a built-in replaced, a value poisoned)."""


class DocumentReplaced(Exception):
    """The page navigated to a new document while a step was running on the old one (or the step
    lost its document in a way chromedriver reports as a timeout): start over on the current one."""


def navigated(exc: WebDriverException) -> bool:
    """True when a driver error means the document went away (a navigation), not a failure."""
    text = (exc.msg or "").lower()
    return any(sign in text for sign in _NAVIGATION_SIGNS)


def _script_timeout(driver, seconds: float) -> None:
    """Set the session's script timeout, skipping the round trip when it is that already."""
    ms = int(max(0.1, seconds) * 1000)
    if getattr(driver, "_script_timeout_ms", None) != ms:
        driver.set_script_timeout(ms / 1000)
        driver._script_timeout_ms = ms


def _answers(driver, within: float) -> bool:
    """True when the page runs a trivial script within `within` seconds."""
    _script_timeout(driver, within)
    try:
        driver.execute_script("return 1")
    except WebDriverException as exc:
        if navigated(exc):
            return True  # busy loading the next document, not stuck
        if isinstance(exc, TimeoutException):
            return False
        raise
    return True


def _history_entry(driver) -> int | None:
    """The id of the tab's current history entry, from the browser (a stuck page cannot delay it)."""
    try:
        history = driver.execute_cdp_cmd("Page.getNavigationHistory", {})
        return history["entries"][history["currentIndex"]]["id"]
    except (WebDriverException, KeyError, IndexError):
        return None


def _run(driver, timeout: float, answer_within: float, script: str, *args, wait: bool = False):
    """One script in the page; raises PageUnresponsive or DocumentReplaced for what the page did.

    chromedriver also reports a timeout when an async script's document goes away before it
    returns: a timeout counts as unresponsive only when the page then fails a trivial script too.
    """
    _script_timeout(driver, timeout)
    try:
        if wait:
            return driver.execute_async_script(script, *args)
        return driver.execute_script(script, *args)
    except WebDriverException as exc:
        if navigated(exc):  # also said as a timeout: "timeout from aborted by navigation"
            raise DocumentReplaced from exc
        if isinstance(exc, TimeoutException):
            before = _history_entry(driver)
            if _answers(driver, min(answer_within, CONFIRM_WITHIN)) or _history_entry(driver) != before:
                # On a busy machine a page that keeps replacing itself may not answer in time
                # either, but the browser saw it move on: a navigation, not a stuck page.
                raise DocumentReplaced from exc
            raise PageUnresponsive from exc
        if isinstance(exc, JavascriptException):
            raise PageInterfered from exc
        raise


# Resolves on the load event, or with the current readyState when the budget runs out.
_WAIT_FOR_LOAD = """
const budget = arguments[0], done = arguments[arguments.length - 1];
if (document.readyState === 'complete') { done('complete'); return; }
const timer = setTimeout(() => done(document.readyState), budget);
window.addEventListener('load', () => { clearTimeout(timer); done('complete'); }, {once: true});
"""

# Native lazy images are switched to eager; scripted lazy loaders (data-src & co) need the page
# scrolled through. Then wait for pending images, within the budget, and return to the top.
_SETTLE = """
const [maxHeight, budget] = arguments, done = arguments[arguments.length - 1];
const started = performance.now();
const root = document.documentElement;
for (const el of document.querySelectorAll('img[loading="lazy" i], iframe[loading="lazy" i]')) el.loading = 'eager';
const scripted = document.querySelector(
  '[data-src],[data-srcset],[data-original],[data-lazy],[data-lazy-src],.lazyload,.lazy');
const frame = () => new Promise(r => requestAnimationFrame(() => r()));
const height = () => Math.min(maxHeight, Math.max(root.scrollHeight, document.body ? document.body.scrollHeight : 0));
(async () => {
  if (scripted && height() > innerHeight) {
    const stepEnd = started + budget / 2;
    for (let y = innerHeight; y < height() + innerHeight && performance.now() < stepEnd; y += innerHeight) {
      window.scrollTo(0, y);
      await frame();
    }
    await frame();
    window.scrollTo(0, 0);
  }
  const pending = Array.from(document.images).filter(img => !img.complete);
  const left = budget - (performance.now() - started);
  if (pending.length && left > 0) {
    await Promise.race([
      Promise.all(pending.map(img => new Promise(r => {
        img.addEventListener('load', r, {once: true}); img.addEventListener('error', r, {once: true});
      }))),
      new Promise(r => setTimeout(r, left)),
    ]);
  }
  window.scrollTo(0, 0);
  done(Array.from(document.images).filter(img => !img.complete).length);
})();
"""

_CONTENT = """
const dt = document.doctype, root = document.documentElement;
let doctype = '';
if (dt) {
  doctype = '<!DOCTYPE ' + dt.name + (dt.publicId ? ' PUBLIC "' + dt.publicId + '"' : '')
    + (dt.systemId ? (dt.publicId ? '' : ' SYSTEM') + ' "' + dt.systemId + '"' : '') + '>\\n';
}
return [root ? doctype + root.outerHTML : '', document.body ? document.body.innerText : (root ? root.innerText : '')];
"""

_PROBE = """
const nav = performance.getEntriesByType('navigation')[0] || {};
const failed = location.protocol === 'chrome-error:';
const code = failed ? ((document.querySelector('.error-code') || {}).textContent || 'unknown') : '';
return [location.href, document.contentType, nav.responseStatus || 0, code, performance.timeOrigin];
"""

_READ = """
const nav = performance.getEntriesByType('navigation')[0] || {};
const meta = sel => { const el = document.querySelector(sel); return el ? (el.getAttribute('content') || '') : ''; };
const icon = document.querySelector('link[rel~="icon" i]');
const root = document.documentElement;
const errorCode = location.protocol === 'chrome-error:'
  ? ((document.querySelector('.error-code') || {}).textContent || 'unknown error') : '';
return {
  url: location.href, status: nav.responseStatus || 0, contentType: document.contentType,
  title: document.title, lang: root ? (root.getAttribute('lang') || '') : '', charset: document.characterSet,
  description: meta('meta[name="description" i]') || meta('meta[property="og:description" i]'),
  icon: icon ? icon.href : '', errorCode: errorCode.trim(),
  width: root ? Math.max(root.scrollWidth, document.body ? document.body.scrollWidth : 0) : 0,
  height: root ? Math.max(root.scrollHeight, document.body ? document.body.scrollHeight : 0) : 0,
  document: performance.timeOrigin,
};
"""


@dataclass
class PageFacts:
    url: str
    status: int | None
    content_type: str
    title: str
    description: str
    language: str
    charset: str
    icon: str
    error_code: str
    width: int
    height: int
    document: float  # performance.timeOrigin: which document these facts are of

    @property
    def is_error_page(self) -> bool:
        return self.url.startswith("chrome-error:")


@dataclass
class Probe:
    url: str
    content_type: str
    status: int | None
    error_code: str  # Chromium's error name when the document is its error page
    document: float  # performance.timeOrigin


def command(driver, name: str, params: dict | None = None) -> dict:
    """One DevTools command for the page; raises DocumentReplaced when a navigation cut it off."""
    try:
        return driver.execute_cdp_cmd(name, params or {})
    except WebDriverException as exc:
        if navigated(exc):
            raise DocumentReplaced from exc
        raise


def freeze(driver, frozen: bool = True) -> None:
    """Stop (or restart) the page's own scripts: timers, handlers and self-navigation by script.

    The engine's scripts still run (they come through DevTools). A frozen page stays the
    document that was loaded and settled while it is read, shot, serialised and printed.
    """
    command(driver, "Emulation.setScriptExecutionDisabled", {"value": frozen})


def blank_tab(driver, *, new_renderer: bool = False) -> None:
    """Leave the tab on a blank document with no history behind it, the page's scripts stopped for good.

    The history goes because the next page could otherwise go back through it (history.go(-2))
    and have the previous capture's page captured under its own name.

    The blank document is asked for by the page itself (`location.replace`, run in an isolated
    world its scripts cannot reach, while they are frozen): it takes over the page's own history
    entry and stays in the page's renderer, so a next capture of the same site needs no new
    process. A blank page opened from DevTools is a browser navigation, which swaps the renderer
    out and in again: about 165 ms more CPU and 130 ms more time per capture. That is still the
    way after a page the reader uploaded (`new_renderer`: their own copy of a page, perhaps
    private, that no later capture should share a process with) and for a page that cannot
    leave this way (an error page, a document that does not unload in time).
    """
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    left_by_itself = not new_renderer and _blank_from_page(driver)
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    if not left_by_itself:
        driver.execute_cdp_cmd("Page.navigate", {"url": "about:blank"})
    _forget_history(driver)


def top_frame_id(driver) -> str:
    """The id of the tab's top frame: the tab's own, the same for every document it shows."""
    return driver.execute_cdp_cmd("Page.getFrameTree", {})["frameTree"]["frame"]["id"]


def _blank_from_page(driver) -> bool:
    """True once the page replaced itself with about:blank; False when it did not within BLANK_WITHIN."""
    try:
        frame = driver.execute_cdp_cmd("Page.getFrameTree", {})["frameTree"]["frame"]
        if not frame.get("url", "").startswith(("http://", "https://")) or frame.get("unreachableUrl"):
            return False
        world = driver.execute_cdp_cmd("Page.createIsolatedWorld", {"frameId": frame["id"], "worldName": RESET_WORLD})
        leave = {"expression": "location.replace('about:blank')", "contextId": world["executionContextId"]}
        driver.execute_cdp_cmd("Runtime.evaluate", leave)
    except WebDriverException as exc:
        if not navigated(exc):
            return False
    ends = time.monotonic() + BLANK_WITHIN
    while time.monotonic() < ends:
        try:
            history = driver.execute_cdp_cmd("Page.getNavigationHistory", {})
            if history["entries"][history["currentIndex"]]["url"] == "about:blank":
                return True
        except WebDriverException as exc:
            if not navigated(exc):
                return False
        time.sleep(0.01)
    return False


def _forget_history(driver, within: float = 3.0) -> None:
    """Clear the tab's history once the blank page is in; chromedriver refuses while it is on its way."""
    ends = time.monotonic() + within
    while True:
        try:
            driver.execute_cdp_cmd("Page.resetNavigationHistory", {})
            return
        except WebDriverException as exc:
            if not navigated(exc) or time.monotonic() > ends:
                raise
            time.sleep(0.02)


def wait_for_load(driver, budget: float, answer_within: float) -> bool:
    """True once the load event fired; False if the page was still loading when `budget` ran out.

    The wait returns every HEARTBEAT seconds on the page's own timer; when even that does not
    come back within `answer_within` more, the page's main thread is stuck (PageUnresponsive).
    A navigation during the wait (meta refresh, script redirect) unloads the document the
    script runs in; the wait then goes on with the new document, within the same budget.
    """
    ends = time.monotonic() + budget
    while True:
        left = ends - time.monotonic()
        if left <= 0:
            return False
        step = min(left, HEARTBEAT)
        try:
            if _run(driver, step + answer_within, answer_within, _WAIT_FOR_LOAD, int(step * 1000), wait=True) \
                    == "complete":
                return True
        except DocumentReplaced:
            continue


def settle(driver, max_height: int, budget: float, answer_within: float) -> int:
    """Let lazy images load; returns how many images were still pending when it gave up."""
    return int(_run(driver, budget + answer_within, answer_within, _SETTLE, max_height, int(budget * 1000),
                    wait=True) or 0)


def _whole_seconds(timeout: float) -> float:
    """A time left until the deadline, cut to whole seconds (at least one): consecutive steps
    then ask for the same script timeout, which is set once."""
    return max(1.0, float(int(timeout)))


def probe(driver, answer_within: float) -> Probe:
    """Where the current document is, what it is, and which one it is, cheaply."""
    try:
        url, content_type, status, error_code, document = _run(driver, answer_within, answer_within, _PROBE)
        return Probe(str(url), str(content_type), int(status or 0) or None, str(error_code).strip(), float(document))
    except (TypeError, ValueError, OverflowError) as exc:  # the page replaced what the script reads
        raise PageInterfered from exc


def content(driver, timeout: float, answer_within: float) -> tuple[str, str]:
    """Rendered DOM (with doctype) and visible text; slow on huge pages, so taken after the screenshot."""
    dom, text = _run(driver, _whole_seconds(timeout), answer_within, _CONTENT)
    return str(dom or ""), str(text or "")


def read(driver, timeout: float, answer_within: float) -> PageFacts:
    facts = _run(driver, _whole_seconds(timeout), answer_within, _READ)
    if not isinstance(facts, dict):
        raise PageInterfered
    try:
        return _facts(facts)
    except (TypeError, ValueError, OverflowError) as exc:  # the page replaced what the script reads
        raise PageInterfered from exc


def _facts(facts: dict) -> PageFacts:
    return PageFacts(
        url=str(facts.get("url") or ""),
        status=int(facts.get("status") or 0) or None,
        content_type=str(facts.get("contentType") or ""),
        title=str(facts.get("title") or ""),
        description=str(facts.get("description") or ""),
        language=str(facts.get("lang") or ""),
        charset=str(facts.get("charset") or ""),
        icon=str(facts.get("icon") or ""),
        error_code=str(facts.get("errorCode") or ""),
        width=int(facts.get("width") or 0),
        height=int(facts.get("height") or 0),
        document=float(facts.get("document") or 0),
    )


def safe_title(title: str, limit: int) -> str:
    """Whitespace-collapsed title cut to `limit` characters without leaving half a character.

    A cut can strand a zero-width joiner, a variation selector or a combining mark that
    belonged to the next (dropped) character; those are trimmed so the title ends cleanly.
    """
    clean = " ".join(title.split())
    if len(clean) <= limit:
        return clean
    cut = clean[:limit]
    while cut and (cut[-1] in "\u200d\ufe0f\ufe0e" or unicodedata.combining(cut[-1])):
        cut = cut[:-1]
    flags = len(cut) - len(cut.rstrip(_REGIONAL_INDICATORS))
    if flags % 2:  # a flag is two regional indicators; half of one shows as a stray letter
        cut = cut[:-1]
    return cut.rstrip()
