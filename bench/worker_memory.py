"""Memory of the capture workers over a long run: each worker process and the browser it drives.

A sample reads the proportional set size (PSS: shared pages split between the processes that
share them, so the sums add up) of every process of the run from /proc/<pid>/smaps_rollup and
groups it by capture worker: the celery process itself, and its browser (chromedriver and every
Chromium process under it). A browser is known by its main process's pid, so a recycle shows as
a new pid; its growth is what it held between captures late in its life against early.

Used by bench/bench_e2e.py --memory N; Linux only.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from bench.abuse.stack import Stack, kind, process_table


def pss_mb(pid: int) -> float:
    """The process's PSS in MB; 0 when it has ended."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


@dataclass
class WorkerSample:
    worker: int  # the celery pool process's pid
    python_mb: float
    browser: int  # the Chromium main process's pid; 0 when it has none right now
    browser_mb: float  # chromedriver and every Chromium process under it


@dataclass
class Sample:
    moment: float  # time.time()
    workers: list[WorkerSample]
    other_mb: float  # every other process of the run: gunicorn, beat, the service worker, bin/run


def sample(stack: Stack, moment: float) -> Sample:
    """One reading of every process of the run, grouped by the capture worker each belongs to."""
    table = process_table()
    ours = [pid for pid, *_rest in stack.processes() if pid in table]
    parent = {pid: table[pid][0] for pid in ours}
    # A capture worker is the celery process a chromedriver was started from.
    workers = {parent[pid]: WorkerSample(parent[pid], pss_mb(parent[pid]), 0, 0.0)
               for pid in ours if kind(table[pid][4]) == "chromedriver"}

    def worker_of(pid: int) -> int | None:
        while pid in parent and pid not in workers:
            pid = parent[pid]
        return pid if pid in workers else None

    other = 0.0
    for pid in ours:
        if pid in workers:
            continue
        owner = worker_of(pid)
        if owner is None:
            other += pss_mb(pid)
            continue
        workers[owner].browser_mb += pss_mb(pid)
        if kind(table[pid][4]) == "chromium browser":
            workers[owner].browser = pid
    return Sample(moment, sorted(workers.values(), key=lambda w: w.worker), other)


SETTLED = 4  # samples at each end of a browser's life whose least is taken as its size between captures


def curve_lines(samples: list[Sample], finished: list[float], every: int = 25) -> list[str]:
    """The curve by captures done (one line each `every` captures), then each browser's growth.

    `finished`: the end moments (time.time()) of the run's captures, from their records.
    """
    ends = sorted(finished)
    done = [bisect.bisect_right(ends, s.moment) for s in samples]
    lines = ["  captures done | per worker: python MB + browser MB (browser pid) | all workers MB | rest of site MB"]
    shown = -every
    for count, s in zip(done, samples, strict=True):
        if count - shown < every and s is not samples[-1]:
            continue
        shown = count
        parts = "; ".join(f"{w.python_mb:.0f} + {w.browser_mb:.0f} ({w.browser or '-'})" for w in s.workers)
        total = sum(w.python_mb + w.browser_mb for w in s.workers)
        lines.append(f"  {count:13d} | {parts} | {total:.0f} | {s.other_mb:.0f}")
    lives: dict[int, list[tuple[int, float]]] = {}  # browser pid -> (captures done, its MB) at each sample
    for count, s in zip(done, samples, strict=True):
        for w in s.workers:
            if w.browser:
                lives.setdefault(w.browser, []).append((count, w.browser_mb))
    for pid, seen in lives.items():
        # A sample can fall mid-capture (a page's renderer at its largest): the least of the first and
        # of the last few samples is what the browser holds between captures. The very first and last
        # samples of a long life are left out: they can catch it starting, or quitting at its recycle.
        settled = seen[1:-1] if len(seen) > 2 * SETTLED + 2 else seen
        first, last = (min(mb for _count, mb in part) for part in (settled[:SETTLED], settled[-SETTLED:]))
        lines.append(f"  browser {pid}: {len(seen)} samples while the run went from {seen[0][0]} to {seen[-1][0]} "
                     f"captures done; between captures {first:.0f} MB early and {last:.0f} MB late "
                     f"({last - first:+.0f} MB), peak {max(mb for _count, mb in seen):.0f} MB")
    return lines
