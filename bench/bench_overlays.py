"""What getting a page ready for its screenshot costs: pinning fixed and sticky elements, hiding
overlays (capture.overlays), and putting the page back afterwards.

  .venv/bin/python bench/bench_overlays.py [runs]

Each page is captured `runs` times on a warm browser, hiding on (the default) and off (a link
kept as served: pinning only). The figure is the engine's own timing of the two steps
(`overlays` and `overlays_restore`), in ms, against the whole capture's time, the anchor.
Pages: the overlay fixtures (tests/pages/overlays/), the report page, and a forum thread of
5,000 posts (about 30,000 elements, each post's header sticky) as the worst case for walking the
DOM and pinning. Figures only; nothing is asserted.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkhome.settings")

import django  # noqa: E402

django.setup()

from capture import browser  # noqa: E402
from capture.engine import capture  # noqa: E402
from capture.results import CaptureLimits  # noqa: E402
from snapshots.tasks.engine import capture_config  # noqa: E402
from tests.pages.routes import html  # noqa: E402
from tests.pages.server import FixtureServer  # noqa: E402

FIXTURES = ["/overlays/cookie.html", "/overlays/zhihu.html", "/overlays/csdn.html", "/overlays/baidu.html",
            "/overlays/news.html"]
OTHERS = ["/report.html", "/thread"]


def thread(posts: int = 5000) -> str:
    body = "".join(
        f"<div class='post'><div class='meta'><span>用户{i}</span> <a href='#'>回复</a></div>"
        f"<p>第{i}楼：统计数据第一季度增长百分之五点二。<b>重点</b></p></div>"
        for i in range(posts)
    )
    return ("<!DOCTYPE html><title>thread</title><style>.meta{position:sticky;top:40px;background:#eee}</style>"
            "<header style='position:fixed;top:0;left:0;right:0;height:40px;background:#333;color:#fff'>论坛</header>"
            + body)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    server = FixtureServer({"/thread": html(thread())}).start()
    with tempfile.TemporaryDirectory(prefix="bench-overlays-") as folder:
        base = replace(capture_config(), limits=CaptureLimits(deadline=45, page_load_budget=20),
                       allowed_origins=(server.origin,), profile_root=Path(folder))
        try:
            browser.prewarm(base)
            capture(server.url(FIXTURES[0]), base)  # warm fonts and caches
            fixture_extra: dict[bool, list[float]] = {True: [], False: []}
            print(f"{'page':26} {'hide':>5} {'prepare ms':>11} {'restore ms':>11} {'extra ms':>9} {'capture ms':>11}")
            for path in FIXTURES + OTHERS:
                for hide in (True, False):
                    prepare, restore, whole = [], [], []
                    for _ in range(runs):
                        started = time.perf_counter()
                        result = capture(server.url(path), replace(base, hide_overlays=hide))
                        whole.append((time.perf_counter() - started) * 1000)
                        assert result.ok, result.error
                        prepare.append(result.timings["overlays"] * 1000)
                        restore.append(result.timings.get("overlays_restore", 0) * 1000)
                    extra = [a + b for a, b in zip(prepare, restore, strict=True)]
                    if path in FIXTURES:
                        fixture_extra[hide].extend(extra)
                    print(f"{path:26} {str(hide):>5} {statistics.median(prepare):11.1f} "
                          f"{statistics.median(restore):11.1f} {statistics.median(extra):9.1f} "
                          f"{statistics.median(whole):11.0f}")
            for hide, values in fixture_extra.items():
                print(f"median extra over the fixture pages, hide={hide}: {statistics.median(values):.1f} ms "
                      f"(max {max(values):.1f} ms, {len(values)} captures)")
        finally:
            browser.shutdown()
            server.shutdown()


if __name__ == "__main__":
    main()
