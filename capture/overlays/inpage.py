"""Getting the page ready for its full-page screenshot, and putting it back afterwards.

The screenshot grows the viewport to the page's full height. Anything `position: fixed` then
sits against that giant viewport: a cookie banner's backdrop (`inset: 0`) covers the whole page
and a bar at `bottom: 0` lands at the end of it. So each fixed element is pinned, absolutely,
to the place and size the reader saw it at the top of the page, and sticky ones go back to
their place in the flow; each then appears once, where it was.

Unless the link keeps its page exactly as served, what hides the content is hidden too:
consent dialogs matched by the selectors of DuckDuckGo's autoconsent rules (only the ones it
uses to hide a dialog, never its steps that click), plus our own rules for what they miss:
a fixed box with a high z-index over most of the viewport (a backdrop or a login wall),
"open in app" and login bars along the top or bottom edge, and `overflow: hidden` scroll locks
on html/body. Nothing is clicked, so nothing is accepted or refused on anyone's behalf.

All of it is inline style set with `!important` from an isolated world (the page's scripts,
frozen by now, cannot see or undo it), and every touched element's `style` attribute is put
back exactly after the shot: the DOM, offline copy, reader copy and PDF are of the page as served.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from capture import reasons
from capture.overlays.rules import rules_for
from capture.reasons import Reason

WORLD_NAME = "linkhome-overlays"


@dataclass
class Prepared:
    """What was done to the page, and its size afterwards."""
    width: int
    height: int
    consent: list[str] = field(default_factory=list)  # names of the consent rules that matched
    cookie: int = 0  # cookie notices our own rules found
    dialog: int = 0  # backdrops, login walls and other boxes covering the content
    app_bar: int = 0  # "open in app" and login bars along an edge
    scroll_lock: bool = False

    def notes(self) -> list[Reason]:
        found = []
        if self.consent:
            found.append(Reason(reasons.CONSENT_HIDDEN, {"cmp": ", ".join(self.consent)}))
        if self.cookie:
            found.append(Reason(reasons.COOKIE_NOTICE_HIDDEN, {"count": self.cookie}))
        if self.dialog:
            found.append(Reason(reasons.DIALOG_HIDDEN, {"count": self.dialog}))
        if self.app_bar:
            found.append(Reason(reasons.APP_BAR_HIDDEN, {"count": self.app_bar}))
        if self.scroll_lock:
            found.append(Reason(reasons.SCROLL_LOCK_REMOVED))
        return found


_SCRIPT = (Path(__file__).resolve().parent / "inpage.js").read_text(encoding="utf-8")


def _evaluate(driver, context: int, expression: str, timeout: float) -> object:
    reply = driver.execute_cdp_cmd(
        "Runtime.evaluate",
        {"expression": expression, "contextId": context, "returnByValue": True,
         "timeout": max(100, int(timeout * 1000))},
    )
    if reply.get("exceptionDetails"):
        raise RuntimeError(str(reply["exceptionDetails"].get("text", "script failed"))[:200])
    return reply.get("result", {}).get("value")


def world(driver, top_frame: str) -> int:
    """A new isolated world in the tab's top frame (its id, `top_frame`): the execution context to
    prepare and restore in."""
    created = driver.execute_cdp_cmd("Page.createIsolatedWorld", {"frameId": top_frame, "worldName": WORLD_NAME})
    return int(created["executionContextId"])


def prepare(driver, context: int, url: str, hide: bool, timeout: float) -> Prepared:
    """Pin fixed and sticky elements and, when `hide`, hide overlays, in the world `context`.

    Raises the driver's exceptions and RuntimeError when the script fails or runs out of time;
    what it had changed by then is still put back by `restore`.
    """
    options = json.dumps({"hide": hide, "rules": rules_for(url) if hide else []}, ensure_ascii=False)
    value = _evaluate(driver, context, f"({_SCRIPT})({options})", timeout)
    if not isinstance(value, dict):
        raise RuntimeError("overlay script returned nothing")
    return Prepared(
        width=int(value.get("width") or 0),
        height=int(value.get("height") or 0),
        consent=[str(n) for n in value.get("consent") or []],
        cookie=int(value.get("cookie") or 0),
        dialog=int(value.get("dialog") or 0),
        app_bar=int(value.get("appBar") or 0),
        scroll_lock=bool(value.get("scrollLock")),
    )


def restore(driver, context: int, timeout: float) -> int:
    """Put back the `style` attribute of every element `prepare` touched; returns how many."""
    return int(_evaluate(driver, context, "globalThis.linkhomeRestore ? globalThis.linkhomeRestore() : 0",
                         timeout) or 0)
