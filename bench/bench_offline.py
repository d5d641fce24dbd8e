"""How long the offline copy takes per page on a warm browser, and what it holds.

For each page of tests/pages (the offline fixtures, the Chinese report, the kitchen sink, the lazy
page), captures it RUNS times with one warm Chromium and prints the medians of: serialising the
live page and reading its fonts (the `offline` step, on the capture's own thread), building the
copy (`offline_build`, on a worker thread while the reader copy and the PDF are made), their sum,
and the copy's size. The last line is the median of the sums over all pages.

Usage: .venv/bin/python bench/bench_offline.py [--runs 5]
Figures only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from capture import browser  # noqa: E402
from capture.engine import capture  # noqa: E402
from capture.results import CaptureConfig  # noqa: E402
from tests.pages.routes import hostile_routes  # noqa: E402
from tests.pages.server import FixtureServer  # noqa: E402

PAGES = [
    "/report.html", "/kitchen", "/lazy", "/offline/fonts.html", "/offline/shadow.html", "/offline/canvas.html",
    "/offline/media.html", "/offline/svg.html", "/offline/forms.html", "/offline/images.html",
    "/offline/hostile.html", "/offline/frame-child.html", "/gbk-header", "/big5-header",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    server = FixtureServer(hostile_routes()).start()
    with tempfile.TemporaryDirectory(prefix="bench-offline-") as profiles:
        config = CaptureConfig(allowed_origins=(server.origin,), profile_root=Path(profiles))
        try:
            capture(server.url("/report.html"), config)  # warm the browser
            sums = []
            print(f"{'page':28} {'serialise ms':>12} {'build ms':>9} {'sum ms':>7} {'copy KB':>8}")
            for path in PAGES:
                rows = []
                for _ in range(args.runs):
                    result = capture(server.url(path), config)
                    t = result.timings
                    rows.append((t.get("offline", 0.0), t.get("offline_build", 0.0),
                                 len(result.artifacts["html"].data) if "html" in result.artifacts else 0))
                serialise = statistics.median(r[0] for r in rows)
                build = statistics.median(r[1] for r in rows)
                total = statistics.median(r[0] + r[1] for r in rows)
                sums.append(total)
                size = statistics.median(r[2] for r in rows) / 1024
                print(f"{path:28} {serialise * 1000:12.1f} {build * 1000:9.1f} {total * 1000:7.1f} {size:8.1f}")
            print(f"median over {len(PAGES)} pages: {statistics.median(sums) * 1000:.1f} ms "
                  f"(max {max(sums) * 1000:.1f} ms)")
        finally:
            browser.shutdown()
            server.stop()


if __name__ == "__main__":
    main()
