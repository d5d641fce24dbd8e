"""Memory of the capture workers over a long run: each worker process and the browser it drives.

A sample reads the proportional set size (PSS: shared pages split between the processes that
share them, so the sums add up) of every process of the run from /proc/<pid>/smaps_rollup and
groups it by capture worker: the celery process itself, and its browser (chromedriver and every
Chromium process under it). A browser is known by its main process's pid, so a recycle shows as
a new pid; its growth is what it held at its last sample against its first.

Used by bench/bench_e2e.py --memory N; Linux only.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
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
    ours = {pid for pid, *_rest in stack.processes()}
    parent = {pid: table[pid][0] for pid in ours if pid in table}

    def worker_of(pid: int) -> int | None:
        while pid in parent:
            pid = parent[pid]
            if pid in table and kind(table[pid][4]) == "celery" and any(
                    kind(table[p][4]) == "chromedriver" for p in ours if parent.get(p) == pid):
                return pid
        return None

    workers: dict[int, WorkerSample] = {}
    other = 0.0
    for pid in sorted(ours):
        if pid not in table:
            continue
        name, size = kind(table[pid][4]), pss_mb(pid)
        owner = worker_of(pid) if (name == "chromedriver" or name.startswith("chromium")) else None
        if owner is not None:
            entry = workers.setdefault(owner, WorkerSample(owner, pss_mb(owner), 0, 0.0))
            entry.browser_mb += size
            if name == "chromium browser":
                entry.browser = pid
        elif pid not in workers and not any(parent.get(p) == pid and kind(table[p][4]) == "chromedriver"
                                            for p in ours):
            other += size
    return Sample(moment, sorted(workers.values(), key=lambda w: w.worker), other)


@dataclass
class BrowserLife:
    first_mb: float
    last_mb: float
    peak_mb: float
    captures: list[float] = field(default_factory=list)  # done-counts at its first and last sample


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
    lives: dict[int, BrowserLife] = {}
    for count, s in zip(done, samples, strict=True):
        for w in s.workers:
            if not w.browser:
                continue
            life = lives.setdefault(w.browser, BrowserLife(w.browser_mb, w.browser_mb, w.browser_mb, [count, count]))
            life.last_mb, life.peak_mb, life.captures[1] = w.browser_mb, max(life.peak_mb, w.browser_mb), count
    for pid, life in lives.items():
        lines.append(f"  browser {pid}: {life.first_mb:.0f} MB at its first sample, {life.last_mb:.0f} MB at its last "
                     f"(peak {life.peak_mb:.0f}), growth {life.last_mb - life.first_mb:+.0f} MB while the run went "
                     f"from {life.captures[0]} to {life.captures[1]} captures done")
    return lines
