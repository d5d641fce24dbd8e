"""What the engine asks of the loaded page, each in one WebDriver round trip.

Every round trip to chromedriver costs a few milliseconds, so waiting for load, settling lazy
images and reading all metadata are single scripts rather than many small calls.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass

from selenium.common.exceptions import JavascriptException, TimeoutException, WebDriverException

_REGIONAL_INDICATORS = "".join(chr(c) for c in range(0x1F1E6, 0x1F200))

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
return [location.href, document.contentType, nav.responseStatus || 0, code];
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

    @property
    def is_error_page(self) -> bool:
        return self.url.startswith("chrome-error:")


def wait_for_load(driver, budget: float) -> bool:
    """True once the load event fired; False if the page was still loading when `budget` ran out.

    A navigation during the wait (meta refresh, script redirect) unloads the document the
    script runs in; the wait then starts over on the new document, within the same budget.
    """
    ends = time.monotonic() + budget
    while True:
        left = ends - time.monotonic()
        if left <= 0:
            return False
        driver.set_script_timeout(left + 1)
        try:
            return driver.execute_async_script(_WAIT_FOR_LOAD, int(left * 1000)) == "complete"
        except TimeoutException:
            return False
        except JavascriptException as exc:
            if "unload" not in str(exc).lower():
                raise


def settle(driver, max_height: int, budget: float) -> int:
    """Let lazy images load; returns how many images were still pending when it gave up."""
    driver.set_script_timeout(budget + 1)
    try:
        return int(driver.execute_async_script(_SETTLE, max_height, int(budget * 1000)) or 0)
    except TimeoutException:
        return -1
    except JavascriptException as exc:
        if "unload" in str(exc).lower():
            return -1
        raise


def probe(driver) -> tuple[str, str, int | None, str]:
    """URL, content type, HTTP status and Chromium error code of the current document, cheaply."""
    url, content_type, status, error_code = driver.execute_script(_PROBE)
    return str(url), str(content_type), int(status or 0) or None, str(error_code).strip()


def content(driver, timeout: float) -> tuple[str, str]:
    """Rendered DOM (with doctype) and visible text; slow on huge pages, so taken after the screenshot."""
    driver.set_script_timeout(max(1.0, timeout))
    dom, text = driver.execute_script(_CONTENT)
    return str(dom or ""), str(text or "")


def read(driver, timeout: float) -> PageFacts:
    driver.set_script_timeout(max(1.0, timeout))
    facts = driver.execute_script(_READ)
    if not isinstance(facts, dict):
        raise WebDriverException("page facts script returned nothing")
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
