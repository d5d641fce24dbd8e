"""How much an offline copy looks like the live page: ours against SingleFile's, on 23 local pages.

  .venv/bin/python bench/bench_fidelity.py                 # every page, then the controls
  .venv/bin/python bench/bench_fidelity.py --pages forms,canvas --no-controls

The corpus is tests/pages/fidelity/ (one folder per page, realistic layouts, Chinese pages among
them; its fonts and pictures are made by make_assets.py there). It is served by the suite's page
server on 127.0.0.1, and a second instance on another port is the other origin that the
cross-origin and nested frames come from. For each page:

1. live: Chromium with JavaScript renders it at 1280 px, scrolled through once, full page
   (bench/fidelity/render.py says exactly how);
2. ours: the capture engine (`capture.engine.capture`, warm browser, the product's code on this
   branch, whatever builder it has) captures it; the result is stored through the capture's
   write path and the offline copy is opened at its artifact URL, as the site serves it
   (bench/fidelity/site.py), with JavaScript off and the network blocked, full page;
3. SingleFile: SingleFile CLI (pinned version and options, bench/fidelity/singlefile.py) saves
   the same live page; its file is stored and opened the same way as ours;
4. both are scored against (1) with one metric, mean SSIM (bench/fidelity/metric.py).

Printed per page: category, both scores, both copies' bytes, our build seconds, and the requests
each copy made when viewed (a request the CSP blocked counts). Build seconds are what making the
offline copy cost inside the capture, from its timings: Chromium's MHTML snapshot ("mhtml"), the
page serialised in the browser ("offline"), parsing the MHTML ("offline_parse", shared with the
reader copy) and building the copy ("offline_build"); the last two run on the engine's pool and
are timed there. A builder whose
capture names these steps otherwise shows "?" until this list is updated (BUILD_STEPS).

Then the means, the median build time and the targets with pass/fail, and the
controls (unless --no-controls), which show the metric tells what matters:
- our mean against SingleFile's (today's builder is expected well below);
- each font page's SingleFile copy with its @font-face rules removed, against the same copy with
  them: removing the fonts must cost at least 0.05 (two more pages with web fonts are shown);
- a blank page scored against every live page: it must fail the 0.95 target;
- a copy naming an outside picture and stylesheet: the request counter must see them.

Figures only; nothing is asserted. A full run takes about 6 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.fidelity import singlefile  # noqa: E402
from bench.fidelity.metric import ssim  # noqa: E402
from bench.fidelity.render import LiveBrowser, OfflineBrowser  # noqa: E402
from bench.fidelity.site import Site  # noqa: E402
from capture import browser, engine  # noqa: E402
from capture.results import Artifact, CaptureConfig  # noqa: E402
from tests.pages.server import PAGES, FixtureServer  # noqa: E402

CORPUS = PAGES / "fidelity"
# (folder, category, file): the page at /fidelity/<folder>/<file>.
PAGE_LIST = [
    ("fonts-webfont", "web fonts (woff2/woff, unicode-range)", "index.html"),
    ("fonts-unicode-range", "web fonts (one family, 3 ranges, ttf)", "index.html"),
    ("fonts-iconfont", "icon font (private use)", "index.html"),
    ("shadow-dom", "open shadow roots", "index.html"),
    ("iframe-same", "same-origin iframes", "index.html"),
    ("iframe-cross", "cross-origin iframes", "index.html"),
    ("iframe-nested", "nested iframes", "index.html"),
    ("video-poster", "video with poster", "index.html"),
    ("canvas", "canvas drawn by script", "index.html"),
    ("svg-sprite", "SVG use: inline and external sprite", "index.html"),
    ("forms", "form controls", "index.html"),
    ("responsive-images", "srcset/sizes/picture", "index.html"),
    ("cssom", "@import, insertRule, adoptedStyleSheets", "index.html"),
    ("custom-properties", "CSS custom properties", "index.html"),
    ("lazy-images", "lazy images (data-src, lazy, IO)", "index.html"),
    ("inline-backgrounds", "inline-style backgrounds", "index.html"),
    ("base-href", "<base href>", "index.html"),
    ("gbk", "GBK page", "notice_gbk.html"),
    ("big5", "Big5 page", "notice_big5.html"),
    ("gov-report", "government report, tables", "index.html"),
    ("news-sticky", "news, sticky header", "index.html"),
    ("product-grid", "product grid", "index.html"),
    ("docs-code", "docs with code", "index.html"),
]
# The font pages prove the font control; the other pages with web fonts are shown for information
# (on news-sticky the fonts are CJK serif where the fallback is CJK sans of the same metrics).
FONT_PAGES = ("fonts-webfont", "fonts-unicode-range", "fonts-iconfont")
MORE_FONT_PAGES = ("news-sticky", "docs-code")
OTHER_ORIGIN = "__OTHER_ORIGIN__"  # spelled in the corpus where a frame comes from the second origin
BUILD_STEPS = ("mhtml", "offline", "offline_parse", "offline_build")
TARGET_MEAN, TARGET_GAP, TARGET_BUILD = 0.95, 0.02, 1.0
_FONT_FACE = re.compile(rb"@font-face\s*\{[^}]*\}", re.IGNORECASE)
BLANK = b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>blank</title></head><body></body></html>"
LEAKY = (b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>leaky</title>"
         b"<link rel='stylesheet' href='https://cdn.example.com/site.css'></head>"
         b"<body><h1>outside</h1><img src='https://img.example.com/a.png'></body></html>")


@dataclass
class Row:
    page: str
    category: str
    ours: float
    theirs: float
    our_bytes: int
    their_bytes: int
    build: float | None
    our_requests: list[str]
    their_requests: list[str]
    their_url: str
    their_html: bytes
    live: bytes


def _servers() -> tuple[FixtureServer, FixtureServer]:
    """The page server and the second origin; pages naming the second origin get its address."""
    other = FixtureServer().start()
    routes = {}
    for page in CORPUS.rglob("*.html"):
        body = page.read_bytes()
        if OTHER_ORIGIN.encode() in body:
            data = body.replace(OTHER_ORIGIN.encode(), other.origin.encode())
            routes["/" + page.relative_to(PAGES).as_posix()] = (
                lambda _h, data=data: (200, {"Content-Type": "text/html; charset=utf-8"}, data))
    other.routes.update(routes)
    return FixtureServer(routes).start(), other


def _build_seconds(timings: dict[str, float]) -> float | None:
    if not all(step in timings for step in BUILD_STEPS):
        return None
    return sum(timings[step] for step in BUILD_STEPS)


def run(pages: list[tuple[str, str, str]], scratch: Path, site: Site, server: FixtureServer,
        other: FixtureServer, with_controls: bool) -> list[Row]:
    """Every page measured and printed, then the summary, then the controls."""
    config = CaptureConfig(allowed_origins=(server.origin, other.origin), profile_root=scratch / "chromium")
    live, offline = LiveBrowser(), OfflineBrowser(site.origin, site.headers)
    rows = []
    (scratch / "shots").mkdir()
    try:
        engine.capture(server.url("/fidelity/forms/index.html"), config)  # warm the engine's browser
        for name, category, file in pages:
            url = server.url(f"/fidelity/{name}/{file}")
            reference = live.shot(url)
            result = engine.capture(url, config)
            if not result.ok or "html" not in result.artifacts:
                print(f"{name}: our capture made no offline copy ({result.error}); scored as a blank copy")
                result.ok = True
                result.artifacts = {"html": Artifact(BLANK, "page.html", "text/html; charset=utf-8")}
            our_html = result.artifacts["html"].data
            our_png, our_requests = offline.shot(site.store(name, result))
            their_html, _seconds = singlefile.save(url, scratch / f"{name}.singlefile.html")
            their_url = site.store_html(name, their_html)
            their_png, their_requests = offline.shot(their_url)
            rows.append(Row(name, category, ssim(reference, our_png), ssim(reference, their_png), len(our_html),
                            len(their_html), _build_seconds(result.timings), our_requests, their_requests,
                            their_url, their_html, reference))
            print(_line(rows[-1]), flush=True)
            for label, png in (("live", reference), ("ours", our_png), ("singlefile", their_png)):
                (scratch / "shots" / f"{name}.{label}.png").write_bytes(png)
        summary(rows)
        if with_controls:
            controls(rows, site, offline, scratch / "shots")
    finally:
        live.quit()
        offline.quit()
        browser.shutdown()
    return rows


HEADER = (f"{'page':20} {'category':40} {'ours':>6} {'SF':>6} {'our KB':>7} {'SF KB':>7} {'build s':>7} "
          f"{'our req':>7} {'SF req':>6}")


def _line(row: Row) -> str:
    build = f"{row.build:7.3f}" if row.build is not None else f"{'?':>7}"
    return (f"{row.page:20} {row.category[:40]:40} {row.ours:6.3f} {row.theirs:6.3f} {row.our_bytes / 1024:7.1f} "
            f"{row.their_bytes / 1024:7.1f} {build} {len(row.our_requests):7d} {len(row.their_requests):6d}")


def summary(rows: list[Row]) -> None:
    ours = statistics.mean(r.ours for r in rows)
    theirs = statistics.mean(r.theirs for r in rows)
    builds = [r.build for r in rows if r.build is not None]
    median_build = statistics.median(builds) if builds else None
    worst = min(rows, key=lambda r: r.ours - r.theirs)
    requests = sum(len(r.our_requests) for r in rows)
    print(f"\nmean SSIM: ours {ours:.3f}, SingleFile {theirs:.3f} ({len(rows)} pages)")
    print(f"bytes: ours {sum(r.our_bytes for r in rows) / 1048576:.2f} MB, "
          f"SingleFile {sum(r.their_bytes for r in rows) / 1048576:.2f} MB")
    print(f"median build: {median_build:.3f} s" if median_build is not None else "median build: ? (steps not timed)")
    print("targets:")
    _verdict(f"our mean >= {TARGET_MEAN}", ours >= TARGET_MEAN, f"{ours:.3f}")
    _verdict("our mean >= SingleFile's", ours >= theirs, f"{ours:.3f} vs {theirs:.3f}")
    _verdict(f"no page more than {TARGET_GAP} below SingleFile", worst.ours - worst.theirs >= -TARGET_GAP,
             f"worst {worst.page}: {worst.ours - worst.theirs:+.3f}; "
             f"{sum(r.ours - r.theirs < -TARGET_GAP for r in rows)} pages below")
    _verdict("0 requests from any offline copy", requests == 0,
             f"{requests} (SingleFile's copies: {sum(len(r.their_requests) for r in rows)})")
    _verdict(f"median build <= {TARGET_BUILD} s", median_build is not None and median_build <= TARGET_BUILD,
             f"{median_build:.3f} s" if median_build is not None else "not timed")
    for row in rows:
        for address in row.our_requests[:3]:
            print(f"  request from our copy of {row.page}: {address[:110]}")


def _verdict(what: str, passed: bool, detail: str) -> None:
    print(f"  {'PASS' if passed else 'FAIL'}  {what}: {detail}")


def controls(rows: list[Row], site: Site, offline: OfflineBrowser, shots: Path) -> None:
    print("\ncontrols:")
    ours = statistics.mean(r.ours for r in rows)
    theirs = statistics.mean(r.theirs for r in rows)
    print(f"  today's builder: our mean {ours:.3f} vs SingleFile {theirs:.3f} ({ours - theirs:+.3f})")
    for row in rows:
        if row.page not in FONT_PAGES + MORE_FONT_PAGES:
            continue
        stripped, count = _FONT_FACE.subn(b"", row.their_html)
        png, _requests = offline.shot(site.store_html(row.page, stripped))
        (shots / f"{row.page}.singlefile-without-fonts.png").write_bytes(png)
        without = ssim(row.live, png)
        figures = f"{row.theirs:.3f} with, {without:.3f} without ({without - row.theirs:+.3f})"
        if row.page in FONT_PAGES:
            _verdict(f"fonts removed from SingleFile's copy of {row.page} ({count} @font-face) costs >= 0.05",
                     row.theirs - without >= 0.05, figures)
        else:
            print(f"  info  fonts removed from SingleFile's copy of {row.page} ({count} @font-face): {figures}")
    blank_png, _requests = offline.shot(site.store_html("blank", BLANK))
    blank = [ssim(row.live, blank_png) for row in rows]
    _verdict(f"a blank page fails the {TARGET_MEAN} target", statistics.mean(blank) < TARGET_MEAN,
             f"mean {statistics.mean(blank):.3f}, best {max(blank):.3f}")
    _png, leaked = offline.shot(site.store_html("leaky", LEAKY))
    _verdict("a copy naming an outside stylesheet and picture is seen asking for them", len(leaked) >= 2,
             f"{len(leaked)} requests counted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", default="", help="comma-separated page folders (default: all)")
    parser.add_argument("--no-controls", action="store_true", help="skip the controls")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (screenshots under shots/)")
    args = parser.parse_args()
    wanted = set(filter(None, args.pages.split(",")))
    pages = [p for p in PAGE_LIST if not wanted or p[0] in wanted]
    started = time.monotonic()
    singlefile.install()
    scratch = Path(tempfile.mkdtemp(prefix="bench-fidelity-"))
    server, other = _servers()
    site = Site(scratch)
    print(f"SingleFile CLI {singlefile.VERSION}; options: {' '.join(singlefile.OPTIONS[1:])}")
    print(f"{len(pages)} pages; scratch {scratch}\n\n{HEADER}")
    try:
        run(pages, scratch, site, server, other, not args.no_controls)
    finally:
        site.stop()
        server.stop()
        other.stop()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nwhole run: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
