"""What bench_abuse measures for user B: capture latency as B sees it, page speed, errors."""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from bench.abuse.stack import Client, Reply

POLL = 0.25  # s between B's status polls: gentle, like the list page's own polling


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


class Ledger:
    """B's requests that failed the way a user must never see: a 5xx or no answer."""

    def __init__(self) -> None:
        self.bad: list[str] = []
        self.lock = threading.Lock()

    def note(self, label: str, reply: Reply) -> Reply:
        if reply.bad:
            with self.lock:
                self.bad.append(f"{label}: HTTP {reply.status} {reply.error}".strip())
        return reply


@dataclass
class Capture:
    seconds: float
    outcome: str
    finished: bool
    snapshot_id: int | None = None


def capture(b: Client, url: str, wait: float, ledger: Ledger) -> Capture:
    """POST the link, then poll its snapshot until it has finished or `wait` s have passed."""
    started = time.perf_counter()
    reply = ledger.note("POST /api/links/", b.call("POST", "/api/links/", json_body={"url": url}))
    if reply.status != 201:
        return Capture(time.perf_counter() - started, f"POST answered {reply.status}", True)
    snapshot_id, status = reply.json()["snapshots"][0]["id"], "?"
    while time.perf_counter() - started < wait:
        time.sleep(POLL)
        reply = ledger.note("GET /api/snapshots/", b.call("GET", f"/api/snapshots/{snapshot_id}/"))
        if reply.status == 200:
            snapshot = reply.json()
            status = snapshot["status"]
            if status in ("succeeded", "failed"):
                code = f" {snapshot['error_code']}" if status == "failed" else ""
                return Capture(time.perf_counter() - started, status + code, True)
    return Capture(time.perf_counter() - started, f"gave up waiting ({status})", False, snapshot_id)


def recheck_line(b: Client, captures: list[Capture]) -> str:
    """What became of the captures B gave up on, by the snapshot's own created/finished times."""
    given_up = [c for c in captures if not c.finished and c.snapshot_id]
    later, still = [], Counter()
    for c in given_up:
        reply = b.call("GET", f"/api/snapshots/{c.snapshot_id}/")
        snapshot = reply.json() if reply.status == 200 else {"status": f"HTTP {reply.status}"}
        if snapshot.get("finished"):
            created, finished = (datetime.fromisoformat(snapshot[k]) for k in ("created", "finished"))
            later.append((finished - created).total_seconds())
        else:
            still[snapshot["status"]] += 1
    line = f"of the {len(given_up)} B gave up on: {len(later)} finished later"
    if later:
        line += f" (created to finished: p50 {pct(later, 0.5):.0f} s, max {max(later):.0f} s)"
    return line + (f", still {dict(still)}" if still else "")


def captures_line(label: str, captures: list[Capture]) -> str:
    if not captures:
        return f"{label}: none attempted"
    seconds = [c.seconds for c in captures]
    bound = ">=" if any(not c.finished for c in captures) else ""
    outcomes = ", ".join(f"{n} {k}" for k, n in Counter(c.outcome for c in captures).most_common())
    return (f"{label}: p50 {bound}{pct(seconds, 0.5):.2f} s, p95 {bound}{pct(seconds, 0.95):.2f} s, "
            f"max {max(seconds):.2f} s over {len(captures)} ({outcomes})")


def probe(client: Client, path: str, requests: int, window: float, ledger: Ledger) -> list[Reply]:
    """GET `path` with 8 clients at once, `requests` in all or for `window` s."""
    replies: list[Reply] = []
    issued, deadline = itertools.count(), time.monotonic() + window

    def worker() -> None:
        while next(issued) < requests and time.monotonic() < deadline:
            replies.append(ledger.note(f"GET {path}", client.call("GET", path)))

    with ThreadPoolExecutor(8) as pool:
        for _ in range(8):
            pool.submit(worker)
    return replies


def probe_line(label: str, replies: list[Reply]) -> str:
    if not replies:
        return f"{label}: no answer within the window"
    ms = [r.seconds * 1000 for r in replies]
    odd = Counter(r.status for r in replies if r.status != 200)
    return (f"{label}: p50 {pct(ms, 0.5):.0f} ms, p95 {pct(ms, 0.95):.0f} ms, max {max(ms):.0f} ms "
            f"over {len(replies)}" + (f" (not 200: {dict(odd)})" if odd else ""))
