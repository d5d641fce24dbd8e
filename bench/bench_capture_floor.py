"""How much the capture engine adds over the bare minimum, page by page of the bench corpus.

The floor is bench/bare_floor.py: a plain warm Chromium making the five outputs (PNG screenshot,
DOM, MHTML, PDF, text) exactly as Chromium returns them, with nothing else. Ours is
`capture.engine.capture()`, which also routes every request through the filtering proxy,
settles lazy images, encodes the screenshot and thumbnail, builds the sanitised offline HTML
and the reader copy, and fetches the favicon. Runs alternate between the two so that load from
anything else on the machine hits both alike.

Beside the wall time it counts the CPU seconds each side spends (this process, whose threads
run the pool, the proxy and the page server, plus the browser's process tree; ours includes
the reset after each capture). On a shared machine the wall time follows whatever else runs,
and a niced browser waits longest; CPU seconds say what a capture costs whatever the load.

Usage: .venv/bin/python bench/bench_capture_floor.py [runs] [page]   (page: one of tests/pages,
e.g. report.html, report_gbk.html, article.html, tables.html). Prints medians and their ratio;
asserts nothing.
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

from bench.abuse.stack import kind, process_table  # noqa: E402
from bench.bare_floor import FloorBrowser  # noqa: E402
from capture import browser, procs  # noqa: E402
from capture.engine import capture  # noqa: E402
from capture.results import CaptureLimits  # noqa: E402
from snapshots.tasks.engine import capture_config  # noqa: E402
from tests.pages.server import FixtureServer  # noqa: E402

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds (user + system) so far of this process and of `pids` that still run."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    own = os.times()
    return ticks / _TICKS + own.user + own.system


def tree(root: int) -> list[int]:
    return [root, *procs.descendants(root)]


def cpu_by_kind(root: int) -> dict[str, float]:
    """CPU seconds so far of a browser's processes by kind (chromedriver, chromium renderer, ...), each
    with its reaped children's: a renderer that ended counts in the zygote that started it."""
    table = process_table()
    kinds: dict[str, float] = {}
    for pid in tree(root):
        if pid in table:
            name = kind(table[pid][4])
            kinds[name] = kinds.get(name, 0.0) + table[pid][3]
    return kinds


def _kinds_line(label: str, before: dict[str, float], after: dict[str, float], runs: int) -> str:
    used = {kind: (after[kind] - before.get(kind, 0.0)) * 1000 / runs for kind in after}
    parts = ", ".join(f"{kind} {ms:.0f}" for kind, ms in sorted(used.items(), key=lambda item: -item[1]))
    return f"{label} browser CPU ms per capture by process: {parts}; total {sum(used.values()):.0f}"


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    page = sys.argv[2] if len(sys.argv) > 2 else "report.html"
    server = FixtureServer().start()
    url = server.url("/" + page)
    with tempfile.TemporaryDirectory(prefix="bench-capture-") as folder:
        config = replace(
            capture_config(),
            limits=CaptureLimits(deadline=45, page_load_budget=20),
            allowed_origins=(server.origin,),
            profile_root=Path(folder) / "engine",
        )
        started = time.perf_counter()
        browser.prewarm(config)
        print(f"engine cold start (prewarm): {time.perf_counter() - started:.3f} s")
        bare = FloorBrowser()
        try:
            for _ in range(2):  # warm both: fonts, caches, JIT
                bare.capture(url)
                assert capture(url, config).ok
            floor_times, our_times, steps, floor_cpu, our_cpu = [], [], [], [], []
            bare_tree = tree(bare.driver.service.process.pid)
            bare_root, engine_root = bare.driver.service.process.pid, browser.acquire(config).pids()[0]
            kinds_before = cpu_by_kind(bare_root), cpu_by_kind(engine_root)
            for _ in range(runs):
                spent = cpu_seconds(bare_tree)
                floor_times.append(bare.capture(url))
                floor_cpu.append(cpu_seconds(bare_tree) - spent)
                engine_tree = browser.acquire(config).pids()
                spent = cpu_seconds(engine_tree)
                started = time.perf_counter()
                result = capture(url, config)
                our_times.append(time.perf_counter() - started)
                browser.acquire(config)  # waits for the reset, which belongs to this capture
                our_cpu.append(cpu_seconds(engine_tree) - spent)
                steps.append(result.timings)
                if not result.ok:
                    print("capture failed:", result.error)
            kinds_after = cpu_by_kind(bare_root), cpu_by_kind(engine_root)
        finally:
            bare.quit()
            browser.shutdown()
            server.stop()
    floor, ours = statistics.median(floor_times), statistics.median(our_times)
    print(f"page: {page}, runs: {runs}, load average: {os.getloadavg()[0]:.2f}")
    print(f"floor (bare warm Chromium) median: {floor * 1000:.0f} ms  (min {min(floor_times) * 1000:.0f} ms)")
    print(f"ours  (capture())          median: {ours * 1000:.0f} ms  (min {min(our_times) * 1000:.0f} ms)")
    print(f"ratio ours/floor: {ours / floor:.2f}")
    floor_cpu_ms, our_cpu_ms = statistics.median(floor_cpu) * 1000, statistics.median(our_cpu) * 1000
    print(f"CPU per capture (median): floor {floor_cpu_ms:.0f} ms, ours {our_cpu_ms:.0f} ms (with the reset), "
          f"ratio {our_cpu_ms / floor_cpu_ms:.2f}")
    print(_kinds_line("floor", kinds_before[0], kinds_after[0], runs))
    print(_kinds_line("ours ", kinds_before[1], kinds_after[1], runs) + " (with the reset; without our Python)")
    names = [k for k in steps[0] if k != "total"]
    print("our steps (median ms): " + ", ".join(
        f"{name} {statistics.median(s.get(name, 0.0) for s in steps) * 1000:.0f}" for name in names))


if __name__ == "__main__":
    main()
