"""Which consent dialogs to hide: the hide selectors of DuckDuckGo's autoconsent rule set.

The npm package `@duckduckgo/autoconsent` (MPL-2.0, pinned in package.json, installed by
`npm ci`) is read from disk, never fetched. Only the selectors it uses to hide a dialog are
taken (`prehideSelectors`, and the `hide` steps of its cosmetic rules); its steps that click
"accept" or "reject" are never read. The JSON rules carry their selectors as data; the few
consent platforms written as code declare theirs as string lists, read from their sources.
"""

from __future__ import annotations

import json
import logging
import re
from functools import cache
from pathlib import Path

logger = logging.getLogger(__name__)

AUTOCONSENT = Path(__file__).resolve().parents[2] / "node_modules" / "@duckduckgo" / "autoconsent"
_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
_CODE_RULE = re.compile(r"prehideSelectors(?:\s*=\s*|\(\)[^{]*\{\s*return\s*)\[(.*?)\]", re.DOTALL)
_CODE_NAME = re.compile(r"\bname\s*=\s*'([^']+)'")
_GLOBAL_HIDDEN = re.compile(r"globalHidden\s*=\s*\[(.*?)\]", re.DOTALL)


def _strings(source: str) -> list[str]:
    return [a or b for a, b in _STRING.findall(source)]


def _steps_hidden(steps: list) -> list[str]:
    """Selectors of the `hide` steps of a rule, at any depth; every other kind of step is left out."""
    found: list[str] = []
    for step in steps:
        if not isinstance(step, dict):
            continue
        if isinstance(step.get("hide"), str):
            found.append(step["hide"])
        for branch in ("then", "else", "any"):
            if isinstance(step.get(branch), list):
                found.extend(_steps_hidden(step[branch]))
    return found


def rules_for(url: str) -> list[tuple[str, str]]:
    """(name, selector) of the consent rules that apply to `url`: every general rule, and the
    site-specific ones whose URL pattern matches (decided here, so the page gets only those)."""
    return [(name, selector) for name, selector, pattern in _compiled_rules() if pattern is None or pattern.search(url)]


@cache
def _compiled_rules() -> tuple[tuple[str, str, re.Pattern | None], ...]:
    compiled = []
    for name, selector, pattern in consent_rules():
        try:
            compiled.append((name, selector, re.compile(pattern) if pattern else None))
        except re.error:  # written for JavaScript; one Python cannot read is left out
            logger.info("consent rule %s left out: its URL pattern does not compile", name)
    return tuple(compiled)


@cache
def consent_rules() -> tuple[tuple[str, str, str], ...]:
    """(name, selector, URL pattern) of every autoconsent rule for the top frame; empty if not installed."""
    try:
        data = json.loads((AUTOCONSENT / "rules" / "rules.json").read_text(encoding="utf-8"))
        code = {path: path.read_text(encoding="utf-8") for path in sorted((AUTOCONSENT / "lib" / "cmps").glob("*.ts"))}
        web = (AUTOCONSENT / "lib" / "web.ts").read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        logger.warning("consent rules unavailable (run `npm ci`): %s", exc)
        return ()
    rules: list[tuple[str, str, str]] = []
    for rule in data.get("autoconsent", []):
        context = rule.get("runContext") or {}
        if context.get("main") is False:
            continue
        selectors = [s for s in rule.get("prehideSelectors") or [] if isinstance(s, str)]
        if rule.get("cosmetic"):
            selectors += _steps_hidden(rule.get("optOut") or [])
        if selectors:
            rules.append((str(rule.get("name", "")), ",".join(selectors), str(context.get("urlPattern") or "")))
    for path, source in code.items():
        selectors = [s for match in _CODE_RULE.findall(source) for s in _strings(match)]
        if selectors:
            named = _CODE_NAME.search(source)
            rules.append((named.group(1) if named else path.stem, ",".join(selectors), ""))
    shared = _GLOBAL_HIDDEN.search(web)
    if shared:
        rules.append(("Didomi", ",".join(_strings(shared.group(1))), ""))
    return tuple(rules)
