"""One hostile user against one ordinary user: capture latency, page speed and errors under a flood.

Starts the site with `bash bin/run` in production mode (DEBUG=0: gunicorn, and the Celery
processes bin/run starts) on a fresh database with the default settings, printed first; serves
distinct Chinese report pages (20–100 KB, tables) and hostile pages from a local page server.

  1. B alone saves 20 pages one by one (POST /api/links/, then polls the snapshot every 250 ms
     until it has succeeded or failed): B's baseline capture latency; then B's list and search
     pages at concurrency 8.
  2. A floods: 500 links to capture, a 50 MB bookmark import with long fields (captures on),
     5 never-ending and 2 CPU-spinning pages, one link with 20,000 tags. B starts 5 s later
     and saves 20 other pages one by one, while B's list and search pages are measured again.
     Prints B's latency p50/p95 (target p95 <= 5 s on 2 cores), web p95 (target <= 200 ms),
     B's errors (5xx or no answer; target 0), and where A's work stands (terminal with a
     reason, or visibly waiting).

Usage: .venv/bin/python bench/bench_abuse.py [--db sqlite|pg|both] [--quick] [--env KEY=VALUE ...]
Figures only; nothing here is asserted. Each phase has a time limit, so a run always ends.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.abuse.measure import (  # noqa: E402
    Ledger,
    capture,
    captures_line,
    pct,
    probe,
    probe_line,
    recheck_line,
)
from bench.abuse.pages import NEVER_ENDING, SPINNING, PageServer, bookmark_file  # noqa: E402
from bench.abuse.stack import (  # noqa: E402
    Client,
    Reply,
    Stack,
    cpu_by_pid,
    cpu_line,
    multipart,
    process_lines,
    settings_lines,
)

SCRATCH = Path("/tmp/bench-abuse")
WAITING = ("queued", "waiting")
PASSWORD = "bench-abuse-Pa55word"
SEARCH = "/search/?q=" + quote("统计")


@dataclass
class Scenario:
    b_captures: int = 20
    a_captures: int = 500
    import_mb: float = 50
    never_ending: int = 5
    spinning: int = 2
    tags: int = 20_000
    b_delay: float = 5.0  # s after the flood starts that B starts
    capture_wait: float = 120.0  # s B waits for one capture before moving on
    phase_timeout: float = 600.0  # s after which B starts no new capture
    probe_requests: int = 80  # per page, at concurrency 8
    probe_window: float = 30.0  # s a probe lasts at most


QUICK = Scenario(b_captures=5, a_captures=50, import_mb=5, never_ending=1, spinning=1, tags=2_000,
                 capture_wait=60, phase_timeout=180, probe_requests=24, probe_window=15)


def out(text: str = "") -> None:
    print(text, flush=True)


class Flood:
    """User A's work, all started at once on threads: hostile pages, tags, import, captures."""

    def __init__(self, a: Client, origin: str, sc: Scenario) -> None:
        self.a, self.origin, self.sc = a, origin, sc
        self.stop = threading.Event()
        self.posts: list[Reply] = []
        self.hostile: dict[str, Reply] = {}
        self.tags: Reply | None = None
        self.upload: Reply | None = None
        self.upload_links = 0
        data, self.upload_links = bookmark_file(int(sc.import_mb * 2**20), origin)
        self.body, self.content_type = multipart({"capture": "true"}, "file", "bookmarks.html", data)
        jobs = [self._hostile, self._tags, self._import, self._captures, self._captures]
        self.threads = [threading.Thread(target=job, daemon=True, name=f"flood-{n}") for n, job in enumerate(jobs)]
        self.next_capture = itertools.count()

    def start(self) -> None:
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()

    def _post(self, url: str, **extra: object) -> Reply:
        return self.a.call("POST", "/api/links/", json_body={"url": url, **extra}, timeout=900)

    def _hostile(self) -> None:
        chosen = NEVER_ENDING[: self.sc.never_ending] + SPINNING[: self.sc.spinning]
        for n, path in enumerate(chosen):
            self.hostile[path] = self._post(f"{self.origin}{path}?a{n}")

    def _tags(self) -> None:
        self.tags = self._post(f"{self.origin}/r/a-tags", tags=[f"标签{n}" for n in range(self.sc.tags)])

    def _import(self) -> None:
        self.upload = self.a.call("POST", "/api/import/", body=self.body, timeout=900,
                                  headers={"Content-Type": self.content_type})

    def _captures(self) -> None:
        while not self.stop.is_set() and (n := next(self.next_capture)) < self.sc.a_captures:
            self.posts.append(self._post(f"{self.origin}/r/a-{n}"))


def gist(reply: Reply) -> str:
    """The start of an answer's text on one line."""
    return " ".join(reply.body[:2000].decode(errors="replace").split())[:100]


def import_line(a: Client, flood: Flood, elapsed: float) -> str:
    line = f"A's {flood.sc.import_mb:g} MB import ({flood.upload_links:,} links): "
    if flood.upload is None:
        return line + f"upload unanswered after {elapsed:.0f} s"
    line += f"upload HTTP {flood.upload.status} in {flood.upload.seconds:.1f} s {flood.upload.error}".rstrip()
    if flood.upload.status != 202:
        return line + f" {gist(flood.upload)}"
    job = a.call("GET", f"/api/import/{flood.upload.json()['id']}/")
    if job.status != 200:
        return line + f"; job: HTTP {job.status}"
    fields = job.json()
    line += "; job " + ", ".join(f"{k} {fields.get(k)}" for k in ("status", "total", "done", "created"))
    line += f", {len(fields.get('skipped') or [])} skipped"
    return line + (f", error {fields['error']}" if fields.get("error") else "")


def report_a(stack: Stack, a: Client, flood: Flood) -> None:
    elapsed = time.monotonic() - flood.started
    codes = Counter(r.status for r in flood.posts)
    ms = [r.seconds * 1000 for r in flood.posts] or [0.0]
    out(f"A's {flood.sc.a_captures} capture requests: {len(flood.posts)} answered within {elapsed:.0f} s, "
        f"by status {dict(codes)}, p50 {pct(ms, 0.5):.0f} ms, p95 {pct(ms, 0.95):.0f} ms")
    for path, reply in flood.hostile.items():
        detail = f"POST answered {reply.status}"
        if reply.status == 201:
            got = a.call("GET", f"/api/snapshots/{reply.json()['snapshots'][0]['id']}/")
            snapshot = got.json() if got.status == 200 else {}
            detail = f"{snapshot.get('status')} {snapshot.get('error_code') or ''} {snapshot.get('error') or ''}"
        out(f"  A's hostile page {path}: {detail[:150].strip()}")
    if flood.tags is None:
        out(f"A's {flood.sc.tags:,}-tag request: no answer after {elapsed:.0f} s")
    else:
        out(f"A's {flood.sc.tags:,}-tag request: HTTP {flood.tags.status} in {flood.tags.seconds:.1f} s "
            f"{flood.tags.error or gist(flood.tags)}".rstrip())
    out(import_line(a, flood, elapsed))
    sent = [*flood.posts, *flood.hostile.values(), *(r for r in (flood.tags, flood.upload) if r is not None)]
    out(f"A's requests answered 5xx or not at all: {sum(r.bad for r in sent)} of {len(sent)}")
    try:
        tally = stack.tally("a")
    except (RuntimeError, subprocess.SubprocessError, ValueError) as exc:
        out(f"A's snapshots: could not be counted ({str(exc)[-300:]})")
        return
    out(f"A's snapshots by trigger/status/reason ({tally['links']:,} links):")
    unexplained = 0
    for row in tally["snapshots"]:
        out(f"  {row['trigger']:<8} {row['status']:<10} {row['error_code'] or '-':<24} {row['n']:>6}")
        unexplained += row["n"] if row["status"] == "failed" and not row["error_code"] else 0
    states = Counter()
    for row in tally["snapshots"]:
        kind = "terminal" if row["status"] in ("succeeded", "failed") else (
            "waiting" if row["status"] in WAITING else row["status"])
        states[kind] += row["n"]
    out(f"A's work: {dict(states)}; failed without a reason code: {unexplained}")


def usage(stack: Stack, pages: PageServer) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by the site's processes, the page server and this script."""
    times = os.times()
    return {**cpu_by_pid(stack, pages.pid), -1: ("bench client", times.user + times.system)}


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def run(db: str, sc: Scenario, args: argparse.Namespace) -> None:
    out(f"=== {db}: {load()}")
    pages = PageServer().start()
    stack = Stack(db, SCRATCH / db, pages.origin, redis_url=args.redis_url, pg_url=args.pg_url,
                  overrides=dict(kv.split("=", 1) for kv in args.env))
    try:
        stack.start()
        for line in settings_lines(stack.settings_in_force()):
            out(line)
        for name in ("a", "b"):
            stack.create_user(name, PASSWORD)
        a, b, b_web = Client(stack.port), Client(stack.port), Client(stack.port)
        a.obtain_token("a", PASSWORD)
        b.obtain_token("b", PASSWORD)
        b_web.login("b", PASSWORD)
        ledger = Ledger()

        def web(path: str) -> list[Reply]:
            return probe(b_web, path, sc.probe_requests, sc.probe_window, ledger)

        warm = capture(b, f"{pages.origin}/r/b0-warm", sc.capture_wait, ledger)
        out(f"warm-up capture (not counted): {warm.seconds:.2f} s, {warm.outcome}")
        for line in process_lines(stack):
            out(line)
        cpu, started = usage(stack, pages), time.monotonic()
        baseline = [capture(b, f"{pages.origin}/r/b1-{n}", sc.capture_wait, ledger) for n in range(sc.b_captures)]
        out(captures_line("B alone, capture latency", baseline))
        out(cpu_line("B alone", cpu, usage(stack, pages), time.monotonic() - started))
        out(probe_line("B alone, list page at concurrency 8", web("/")))
        out(probe_line("B alone, search page at concurrency 8", web(SEARCH)))
        baseline_bad = len(ledger.bad)

        flood = Flood(a, pages.origin, sc)
        probes: dict[str, list[Reply]] = {}

        def probe_during_flood() -> None:
            time.sleep(sc.b_delay + 10)
            probes["list"] = web("/")
            probes["search"] = web(SEARCH)

        prober = threading.Thread(target=probe_during_flood, daemon=True, name="web-probe")
        cpu = usage(stack, pages)
        flood.start()
        prober.start()
        time.sleep(sc.b_delay)
        b_started, flooded = time.monotonic(), []
        for n in range(sc.b_captures):
            if time.monotonic() - b_started > sc.phase_timeout:
                break
            flooded.append(capture(b, f"{pages.origin}/r/b2-{n}", sc.capture_wait, ledger))
            out(f"  B's capture {n + 1} during the flood: {flooded[-1].seconds:.2f} s, {flooded[-1].outcome}")
        cpu_during = cpu_line("During the flood", cpu, usage(stack, pages), time.monotonic() - flood.started)
        prober.join(timeout=2 * sc.probe_window + 60)
        flood.stop.set()
        out(f"--- {db} results (B's flood phase: {time.monotonic() - b_started:.0f} s; {load()})")
        out(captures_line("B alone, capture latency", baseline))
        out(captures_line("B during the flood, capture latency (target p95 <= 5 s)", flooded)
            + (f"; {sc.b_captures - len(flooded)} not attempted (phase limit)" if len(flooded) < sc.b_captures else ""))
        out(probe_line("B's list page during the flood (target p95 <= 200 ms)", probes.get("list", [])))
        out(probe_line("B's search page during the flood (target p95 <= 200 ms)", probes.get("search", [])))
        flood_bad = ledger.bad[baseline_bad:]
        out(cpu_during)
        out(f"B's errors (5xx or no answer; target 0): {baseline_bad} alone, {len(flood_bad)} during the flood")
        for text, n in Counter(flood_bad).most_common(8):
            out(f"  {n} x {text}")
        if any(not c.finished for c in flooded):
            out("  " + recheck_line(b, flooded))
        report_a(stack, a, flood)
    finally:
        stopped = stack.stop()
        pages.stop()
        out(f"stopped in {stopped['seconds']:.0f} s; escalations: {stopped['escalations'] or 'none'}; "
            f"left behind and killed: {stopped['left_behind'] or 'none'}; log: {stack.log_path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="sqlite")
    parser.add_argument("--quick", action="store_true", help="a small scenario for a smoke run")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="a setting to change")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="flushed at the start")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/linkhome_bench_pg",
                        help="dropped and created at the start")
    for name in ("b_captures", "a_captures", "tags"):
        parser.add_argument("--" + name.replace("_", "-"), type=int)
    for name in ("import_mb", "phase_timeout", "capture_wait"):
        parser.add_argument("--" + name.replace("_", "-"), type=float)
    args = parser.parse_args()
    sc = QUICK if args.quick else Scenario()
    sc = dataclasses.replace(sc, **{k: v for k, v in vars(args).items() if k in Scenario.__annotations__ and v})
    head = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True)
    out(f"bench_abuse at {head.stdout.strip()[:100]}; {os.cpu_count()} cores; {' '.join(sys.argv[1:]) or '(full)'}")
    out(f"scenario: {sc}")
    failed = []
    for db in ("sqlite", "pg") if args.db == "both" else (args.db,):
        try:
            run(db, sc, args)
        except Exception:  # one database's run failing still lets the next one run
            traceback.print_exc()
            failed.append(db)
    if failed:
        sys.exit(f"bench_abuse: the run on {', '.join(failed)} did not complete")


if __name__ == "__main__":
    main()
