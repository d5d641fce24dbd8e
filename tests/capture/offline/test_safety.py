"""The offline copy of a hostile page, opened with scripts on, runs nothing and asks for nothing.

The page puts scripts everywhere a copy could carry them: in declarative and scripted shadow
roots, in a srcdoc frame, in on* attributes, javascript: links, an SVG, a forged template and
srcdoc of its own, markup in attributes and text. Every script would mark its document
(data-pwned on <html>) and most would also ask for /offline/pwned.
"""

from __future__ import annotations

import base64
import re

from capture.engine import capture
from tests.capture.offline.render import in_frames, open_copy


def test_hostile_copy_runs_no_script_and_makes_no_request(pages, config):
    result = capture(pages.url("/offline/hostile.html"), config)
    assert result.ok, result.error
    html = result.artifacts["html"].data.decode("utf-8")
    lowered = html.lower()
    assert "<script" not in lowered and "&lt;script&gt;document" in lowered  # the text stays text
    assert not re.search(r"\son[a-z]+\s*=", lowered), "event handler survived"
    assert "javascript:" not in lowered
    assert "<object" not in lowered and "<embed" not in lowered and "action=" not in lowered
    assert "/offline/pwned" not in html and "refresh" not in lowered
    # A forged placeholder stays an empty element of the page's own: only this build's marker is stitched.
    assert '<lh-frame-0123456789abcdef data-i="0"></lh-frame-0123456789abcdef>' in html
    # Only the builder's own srcdoc and shadow roots: the declared and the scripted one, and the
    # frames the page made; never the div's attributes or the forged template.
    assert lowered.count('shadowrootmode="open"') == 2
    assert lowered.count("<iframe") == lowered.count('<iframe sandbox=""') == 3
    assert "fake srcdoc on a div" in html and 'srcdoc="&lt;script' not in html
    svgs = [base64.b64decode(m).decode() for m in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)]
    assert svgs and not any("<script" in s or "onload" in s for s in svgs)  # inert as images, and clean too

    before = len(pages.requests)
    shown, requests = open_copy(result.artifacts["html"].data, config, (
        "return {title: document.title + (document.documentElement.dataset.pwned || ''),"
        " declared: document.getElementById('declared').shadowRoot.textContent,"
        " scripted: document.getElementById('scripted').shadowRoot.textContent,"
        " scripts: document.scripts.length};"
    ))
    assert shown == {"title": "hostile", "declared": "Declarative shadow text", "scripted": "Scripted shadow text",
                     "scripts": 0}
    assert requests == 0
    titles = in_frames(result.artifacts["html"].data, config, (
        "return (document.documentElement.dataset.pwned || '') + '|' + document.body.innerText"))
    assert len(titles) == 3 and all(t.startswith("|") for t in titles), titles  # no frame marked by a script
    assert any("Hostile frame text" in t for t in titles)
    assert not [r for r in pages.requests[before:] if "pwned" in r]
