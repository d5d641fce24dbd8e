"""What the layout walk asks of every page shown in the browser: nothing wider than the screen, no
text under 14 px, no serious accessibility fault (axe-core), and only the page's language in our
own words. Each check returns the problems it found, worded for the failure message."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from selenium.webdriver.remote.webdriver import WebDriver

SMALLEST_TEXT = 14
HEADER_MAX = 64
PHONE_WIDTH = 390

# axe-core from npm (package.json; bin/setup runs `npm ci`), read from disk and never fetched.
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Latin words a Chinese page may show: names of products, formats and protocols that are not
# translated in Chinese either. Everything else in Latin letters outside user content is one of
# our own strings left in English. Each is here because a Chinese string of ours uses it.
LATIN_IN_CHINESE = frozenset(
    w.lower()
    for w in (
        "API",  # "API 令牌", "API 文档": Chinese screens say API
        "URL",  # an address's name where a page shows one as a format (the API's fields)
        "Atom",  # "Atom 订阅": feed formats keep their names
        "HTML",
        "MHTML",  # the files a page saved in a browser comes as
        "PDF",
        "PNG",
        "WebP",  # the artifact formats, as the download buttons name them
        "JSON",
        "CSV",  # the export formats
        "OpenAPI",  # "OpenAPI 描述文件": the API docs' schema
        "SingleFile",  # the browser extension whose uploads the site takes, by its name
        "http",
        "https",  # "只能抓取 http 和 https 链接": what an address may start with, typed as is
        "HTTP",  # "HTTP 404 错误": the answer's status code
        "TLS",  # "TLS 握手失败": a capture's failure
        "IP",  # "你的 IP 地址会随举报一起保存": the report form
        "KB",
        "MB",
        "GB",  # sizes and quotas
        "Pinboard",
        "linkding",  # the services whose bookmark files import
        "Ctrl",  # "按 Ctrl+C 复制": a key's name
    )
)

# Phrases of our Chinese strings that carry Latin words only in them: taken out before the words
# are checked, so that the words alone stay refused elsewhere.
LATIN_PHRASES_IN_CHINESE = re.compile(
    "|".join(
        (
            r"link之家",  # the product's Chinese name
            r"site:[\w.-]*",  # the search's site: operator, and its example (site:example.com)
            r"Cookie (?:提示|对话框)",  # a capture's note, and the setting: consent banners hidden in the screenshot
            r"“打开 App”",  # a capture's note: "open in the app" bars hidden in the screenshot
            r"next 链接",  # the API's paging cursor, named as the JSON field it is
            r"STORAGE_QUOTA_MB",  # a setting's name in the quota field's help
        )
    )
)

# The visible text elements whose computed size is under the limit, at most five, for the message.
SMALL_TEXT_JS = """(() => {
const small = [];
const smallest = arguments[0];
for (const el of document.querySelectorAll("body *")) {
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own || !el.getClientRects().length) continue;
  const style = getComputedStyle(el);
  if (style.visibility === "hidden" || el.closest(".sr-only, [aria-hidden=true]")) continue;
  if (parseFloat(style.fontSize) < smallest) {
    small.push(`${el.tagName.toLowerCase()}.${el.className} ${style.fontSize} "${el.textContent.trim().slice(0, 30)}"`);
  }
}
return small.slice(0, 5);
})()
"""

# Our own words on the page, with the user's content left out: every text node and the texts
# people hear or see in attributes, unless inside an element marked translate="no" (what a
# person saved or named: titles, descriptions, tags, addresses, names, notes, archived text) or
# marked as another language (the language menu names each language in itself). Keys (kbd) and
# code are not words to translate, and a form field's text is what the person typed. The window
# title is left out: it carries the page's heading, often the person's own title, and its fixed
# words are the same catalog strings as the headings checked here.
OWN_TEXTS_JS = """(() => {
const lang = document.documentElement.lang.toLowerCase();
const skipped = el => el.closest("[translate=no], script, style, noscript, template, kbd, code, textarea")
  || el.closest("[lang]").lang.toLowerCase() !== lang;
// The header's name is styled in two parts (link<strong>之家</strong>): read as the one word it is.
const texts = [...document.querySelectorAll(".brand")].map(el => el.textContent.trim());
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (node.textContent.trim() && !skipped(node.parentElement) && !node.parentElement.closest(".brand")) {
    texts.push(node.textContent.trim());
  }
}
for (const el of document.body.querySelectorAll("[aria-label], [title], [placeholder], [alt], input[type=submit]")) {
  if (skipped(el)) continue;
  for (const name of ["aria-label", "title", "placeholder", "alt", "value"]) {
    if (name === "value" && el.type !== "submit") continue;
    const value = (el.getAttribute(name) || "").trim();
    if (value) texts.push(value);
  }
}
return texts;
})()
"""

# axe-core over the page, reporting serious and critical violations only. Archived pages shown
# in iframes are someone else's markup (often hostile), not ours: `iframes: false` keeps axe out
# of them; the iframe element itself (its title) is still checked.
AXE_RUN_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, iframes: false, resultTypes: ["violations"]})
  .then(r => done(r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(" ")), v.nodes.length])))
  .catch(e => done([["axe-error", String(e), [], 0]]));
"""


def install_axe(browser: WebDriver) -> None:
    """axe-core in every page this browser opens from now on. Handed to the browser once: sending
    its 550 KB with each page cost 0.1-0.3 s a page, more than a run of axe."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run bin/setup (npm ci installs axe-core)")
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": AXE.read_text()})


# Everything the page checks read, in one call (each call to the browser costs a round trip).
FACTS_JS = (
    "const header = document.querySelector('header.topbar');"
    "return {scroll: document.documentElement.scrollWidth,"
    " header: header ? header.getBoundingClientRect().height : 0,"
    f" small: {SMALL_TEXT_JS}, texts: {OWN_TEXTS_JS}}};"
)


def page_problems(browser: WebDriver, where: str, width: int, language: str) -> list[str]:
    """Wider than the screen, text too small, a phone header taller than one short row, words
    in the other language."""
    facts = browser.execute_script(FACTS_JS, SMALLEST_TEXT)
    problems = []
    if facts["scroll"] > width:
        problems.append(f"{where}: {facts['scroll']} px wide")
    if facts["small"]:
        problems.append(f"{where}: text under {SMALLEST_TEXT} px: {facts['small']}")
    if width == PHONE_WIDTH and facts["header"] > HEADER_MAX:
        problems.append(f"{where}: header {facts['header']:.0f} px")
    return problems + language_problems(facts["texts"], where, language)


def axe_problems(browser: WebDriver, where: str) -> list[str]:
    """axe-core's serious and critical WCAG 2.2 AA violations: rule, impact, first targets."""
    found = browser.execute_async_script(AXE_RUN_JS, AXE_TAGS)
    return [f"{where}: axe {rule} ({impact}) on {n}: {', '.join(targets)}" for rule, impact, targets, n in found]


def language_problems(texts: list[str], where: str, language: str) -> list[str]:
    """Our own strings left in English on a Chinese page, or Chinese on an English page."""
    problems = set()
    for text in texts:
        if language == "en":
            if re.search(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]", text):
                problems.add(f"{where}: Chinese in English: {text[:60]!r}")
        else:
            bare = LATIN_PHRASES_IN_CHINESE.sub(" ", text)
            words = {w for w in re.findall(r"[A-Za-z][A-Za-z'’]+", bare) if w.lower() not in LATIN_IN_CHINESE}
            if words:
                problems.add(f"{where}: English in Chinese {sorted(words)[:4]}: {text[:60]!r}")
    return sorted(problems)
