"""End-to-end capture speed of the site in production mode, against a bare warm Chromium.

Ours: the site started as production starts it (`bash bin/run` with DEBUG=0 and an environment
built from scratch, see bench/abuse/stack.py: gunicorn, the capture worker with its default
pool of warm browsers and default recycling, the service worker, beat) on a scratch PostgreSQL
database, a Redis database of its own, its own port and data folder, default settings
otherwise. A client saves links through the API and follows each capture as a script following
the README would: it waits on the snapshot (`GET /api/snapshots/<id>/?wait=20`, answered when the
capture ends); a second client polls instead, every --poll-ms, and is measured beside it.

The floor: bench/bare_floor.py, a bare warm Chromium making the five outputs untouched (PNG,
DOM, MHTML, PDF, text), with no encoding, cleaning or storing.

Each round measures, cycling through the corpus pages of tests/pages:
  * latency: API POST /api/links/ until the client reads `succeeded`, once by the waiting client
    and once by the polling one, grouped with one floor capture of the same page (the order of
    the three turns), so a busy spell on the machine hits all alike. Printed per page as median
    milliseconds, and overall as the median of the ratios to the floor (target <= 1.2), for
    either client and for POST -> the finish the snapshot records (no client at all);
  * throughput: a burst of links saved at once by several users (each user's captures run one
    at a time, CAPTURE_USER_CONCURRENCY, so one user alone could never fill two browsers), from
    the first POST until the last snapshot's `finished` time, against the same captures shared
    by two warm bare browsers in separate processes (target >= 0.85).
With --memory N, N more captures follow the rounds (links saved at once by several users), and
the capture workers' memory is sampled until they are done (bench/worker_memory.py): the curve
by captures done, and how much each browser grew before the default recycling replaced it.
Every capture of the rounds must succeed with all five artifacts (ours: screenshot, dom, html, pdf, text in the
API; floor: five non-empty outputs) or the bench stops with the reason.

Usage: .venv/bin/python bench/bench_e2e.py [--runs 4] [--burst 60] [--repeat 1] [--memory 500]
       [--set NAME=VALUE ...]
Figures only; nothing here is asserted in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.abuse.stack import Client, Stack, cpu_by_pid  # noqa: E402
from bench.bare_floor import OUTPUTS, FloorBrowser, floor_burst  # noqa: E402
from bench.site_client import (  # noqa: E402
    ARTIFACTS,
    WAIT_SECONDS,
    Trip,
    e2e_capture,
    ours_burst,
    post_link,
    wait_for_ends,
)
from bench.worker_memory import Sample, curve_lines, sample  # noqa: E402
from tests.pages.server import FixtureServer  # noqa: E402

PAGES = ("report.html", "report_gbk.html", "report_big5.html", "article.html", "tables.html")
TARGET_LATENCY, TARGET_THROUGHPUT = 1.2, 0.85

USERS_SCRIPT = """
import json
from accounts.models import User
from accounts.services import token_create
print(json.dumps([token_create(user=User.objects.create_user(name))[1] for name in %r]))
"""
SETTINGS_SCRIPT = """
import json
from django.conf import settings
print(json.dumps({"DEBUG": settings.DEBUG, "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    **{n: getattr(settings, n) for n in ("CELERY_WORKER_CONCURRENCY", "CAPTURE_USER_CONCURRENCY",
       "CAPTURE_BROWSER_RECYCLE_AFTER", "CAPTURE_BROWSER_MAX_RSS_MB", "CAPTURE_RATE_PER_HOUR",
       "LINK_RATE_PER_MINUTE")}}))
"""

# The end moments of every capture of the memory run, as seconds since the epoch.
FINISHED_SCRIPT = """
import json
from snapshots.models import Snapshot
print(json.dumps([f.timestamp() for f in Snapshot.objects.filter(link__url__contains=%r, finished__isnull=False)
                  .values_list("finished", flat=True)]))
"""
MEMORY_LINKS_PER_USER = 50  # under LINK_RATE_PER_MINUTE and CAPTURE_RATE_PER_HOUR's defaults

# Where the server's time went for the latency captures of one round: from the POST's row to the
# worker claiming it, the engine (browser and everything it hands back), and recording the outcome.
STAGES_SCRIPT = """
import json, statistics
from snapshots.models import Snapshot
rows = Snapshot.objects.filter(link__url__contains=%r, status="succeeded").values_list(
    "created", "started", "finished", "timings")
stages = [((s - c).total_seconds(), t.get("total", 0), (f - s).total_seconds() - t.get("total", 0))
          for c, s, f, t in rows if s and f]
steps = {}
for *_times, timings in rows:
    for name, seconds in (timings or {}).items():
        steps.setdefault(name, []).append(seconds)
print(json.dumps({"stages": [round(statistics.median(x[i] for x in stages) * 1000) for i in range(3)] if stages else [],
                  "steps": {name: round(statistics.median(v) * 1000) for name, v in steps.items() if name != "total"}}))
"""


@dataclass
class Pair:
    page: str
    waited: Trip  # the client waiting on the snapshot (?wait=)
    polled: Trip  # the client polling every --poll-ms
    floor: float

    @property
    def ours(self) -> float:
        return self.waited.seconds

    @property
    def polled_seconds(self) -> float:
        return self.polled.seconds

    @property
    def ratio(self) -> float:
        return self.waited.seconds / self.floor

    @property
    def polled_ratio(self) -> float:
        return self.polled.seconds / self.floor

    @property
    def done(self) -> float:
        return statistics.median((self.waited.done, self.polled.done))

    @property
    def server(self) -> float:
        return statistics.median((self.waited.server, self.polled.server))

    @property
    def done_ratio(self) -> float:
        return self.done / self.floor


@dataclass
class Round:
    pairs: list[Pair] = field(default_factory=list)
    ours_burst: tuple[int, float] = (0, 0.0)  # captures, seconds
    floor_burst: tuple[int, float] = (0, 0.0)
    burst_cpu: dict[str, float] = field(default_factory=dict)  # CPU ms per capture of ours, by process kind

    @property
    def latency_ratio(self) -> float:
        return statistics.median(pair.ratio for pair in self.pairs)

    @property
    def polled_ratio(self) -> float:
        return statistics.median(pair.polled_ratio for pair in self.pairs)

    @property
    def done_ratio(self) -> float:
        return statistics.median(pair.done_ratio for pair in self.pairs)

    @staticmethod
    def per_minute(burst: tuple[int, float]) -> float:
        return burst[0] / burst[1] * 60

    @property
    def throughput_ratio(self) -> float:
        return self.per_minute(self.ours_burst) / self.per_minute(self.floor_burst)


def measure_round(number: int, stack: Stack, pages: FixtureServer, tokens: list[str], args) -> Round:
    """One full measure: paired latency over the corpus, then the two bursts."""
    result = Round()
    latency_client, *burst_clients = (Client(stack.port, token) for token in tokens)
    floor = FloorBrowser()
    try:
        for page in PAGES:  # warm: fonts, caches, code paths for every page
            floor.capture(pages.url(f"/{page}"))
        poll = args.poll_ms / 1000
        for n in range(args.runs * len(PAGES)):
            page = PAGES[n % len(PAGES)]
            ours_url, floor_url = pages.url(f"/{page}?e2e={number}-{n}"), pages.url(f"/{page}?floor={number}-{n}")
            runs = {  # each called once, in this iteration
                "waited": lambda u=ours_url: e2e_capture(latency_client, u + "-wait", poll, waits=True),
                "polled": lambda u=ours_url: e2e_capture(latency_client, u + "-poll", poll, waits=False),
                "floor": lambda u=floor_url: floor.capture(u),
            }
            turn = list(runs)[n % 3:] + list(runs)[:n % 3]  # who goes first turns with each run
            measured = {side: runs[side]() for side in turn}
            result.pairs.append(Pair(page, measured["waited"], measured["polled"], measured["floor"]))
    finally:
        floor.quit()
    burst_pages = [PAGES[n % len(PAGES)] for n in range(args.burst)]
    before = cpu_by_pid(stack)
    result.ours_burst = ours_burst(
        burst_clients, [pages.url(f"/{page}?burst={number}-{n}") for n, page in enumerate(burst_pages)])
    result.burst_cpu = cpu_per_capture(before, cpu_by_pid(stack), args.burst)
    floor_result = floor_burst([pages.url(f"/{page}?floor-burst={number}-{n}") for n, page in enumerate(burst_pages)],
                               warm=[pages.url(f"/{page}") for page in PAGES], browsers=2)
    result.floor_burst = (floor_result.captures, floor_result.seconds)
    return result


def cpu_per_capture(before: dict, after: dict, captures: int) -> dict[str, float]:
    """CPU milliseconds per capture during our burst, by kind of process (Chromium's by its role)."""
    used: dict[str, float] = {}
    for pid, (name, cpu) in after.items():
        group = "postgres" if name.startswith("postgres") else name
        used[group] = used.get(group, 0.0) + (cpu - before.get(pid, (name, 0.0))[1]) * 1000 / captures
    return dict(sorted(used.items(), key=lambda item: -item[1]))


def round_lines(number: int, result: Round, burst_users: int) -> list[str]:
    ms = 1000
    lines = [f"round {number}: latency, {len(result.pairs)} runs a side (wait: POST -> the waiting client reads "
             "succeeded | poll: the same for the polling client | done: POST -> the snapshot's recorded finish | "
             "server: its created -> finished | floor: bare browser)",
             f"  {'page':<18}{'runs':>5}{'wait ms':>9}{'poll ms':>9}{'done ms':>9}{'server ms':>11}{'floor ms':>10}"
             f"{'wait/floor':>12}{'poll/floor':>12}{'done/floor':>12}"]
    for page in PAGES:
        mine = [pair for pair in result.pairs if pair.page == page]
        waited, polled, done, server, floor, ratio, polled_ratio, done_ratio = (
            statistics.median(getattr(p, name) for p in mine)
            for name in ("ours", "polled_seconds", "done", "server", "floor", "ratio", "polled_ratio", "done_ratio"))
        lines.append(f"  {page:<18}{len(mine):>5}{waited * ms:>9.0f}{polled * ms:>9.0f}{done * ms:>9.0f}"
                     f"{server * ms:>11.0f}{floor * ms:>10.0f}{ratio:>12.2f}{polled_ratio:>12.2f}{done_ratio:>12.2f}")
    ours, floor = (statistics.median(getattr(p, side) for p in result.pairs) for side in ("ours", "floor"))
    lines.append(f"  all pages: waiting client median {ours * ms:.0f} ms, floor median {floor * ms:.0f} ms; "
                 f"median of the {len(result.pairs)} ratios: waiting client/floor {result.latency_ratio:.2f} "
                 f"(target <= {TARGET_LATENCY}), polling client/floor {result.polled_ratio:.2f}, "
                 f"recorded finish/floor {result.done_ratio:.2f}")
    (count, seconds), (floor_count, floor_seconds) = result.ours_burst, result.floor_burst
    lines.append(f"  burst: ours {count} captures from {burst_users} users in {seconds:.1f} s = "
                 f"{Round.per_minute(result.ours_burst):.1f}/min; two bare browsers {floor_count} in "
                 f"{floor_seconds:.1f} s = {Round.per_minute(result.floor_burst):.1f}/min; "
                 f"ratio {result.throughput_ratio:.2f} (target >= {TARGET_THROUGHPUT})")
    kinds = ", ".join(f"{name} {ms:.0f}" for name, ms in result.burst_cpu.items() if ms >= 1)
    lines.append(f"  burst CPU ms per capture of ours (an ended process counts in its parent): {kinds}; "
                 f"total {sum(result.burst_cpu.values()):.0f}")
    return lines


def memory_run(stack: Stack, pages: FixtureServer, tokens: list[str], captures: int, every: float = 3.0) -> list[str]:
    """`captures` links saved by several users at once, the workers' memory sampled every `every` s
    until all are done: the curve by captures done, and how much each browser grew before its recycle."""
    clients = [Client(stack.port, token) for token in tokens]
    urls = [pages.url(f"/{PAGES[n % len(PAGES)]}?memory={n}") for n in range(captures)]
    samples: list[Sample] = [sample(stack, time.time())]
    ids = [post_link(clients[n // MEMORY_LINKS_PER_USER], url) for n, url in enumerate(urls)]
    ended = wait_for_ends(clients, ids, every, timeout=1800,
                          each_turn=lambda: samples.append(sample(stack, time.time())))
    failed = [s for s in ended.values() if s["status"] == "failed"]
    finished = json.loads(stack.shell(FINISHED_SCRIPT % ("?memory=",)))
    head = (f"worker memory over {captures} captures (PSS, default recycling; {len(failed)} failed), "
            f"a sample every {every:g} s:")
    return [head, *curve_lines(samples, finished)]


def warm_up(stack: Stack, pages: FixtureServer, tokens: list[str]) -> None:
    """Every page once, from two users at a time, so that both pool processes have a warm browser."""
    clients = [Client(stack.port, token) for token in tokens]
    ours_burst(clients, [pages.url(f"/{page}?warm=1") for page in PAGES], poll=0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4, help="latency runs per page per round, each client (default 4)")
    parser.add_argument("--burst", type=int, default=60, help="captures in each burst (default 60)")
    parser.add_argument("--burst-users", type=int, default=6, help="users saving the burst (default 6)")
    parser.add_argument("--repeat", type=int, default=1, help="full measures; prints the median of their ratios")
    parser.add_argument("--poll-ms", type=int, default=200,
                        help="the polling client's interval, and the waiting client's pause after a wait not held "
                             "(default 200)")
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linkhome_bench_e2e"), help="dropped and created")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
                        help="flushed at the start")
    parser.add_argument("--memory", type=int, default=0, metavar="N",
                        help="after the rounds, N captures with the workers' memory sampled (e.g. 500)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the site, as its environment variable (e.g. CAPTURE_CONCURRENCY=3)")
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.set)
    if -(-args.burst // args.burst_users) > 60 or 2 * args.runs * len(PAGES) > 60:
        parser.error("at most 60 links per user per round (LINK_RATE_PER_MINUTE's default; one list page holds 100)")

    began, load_before = time.monotonic(), os.getloadavg()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)} ({os.cpu_count()} cores)", flush=True)
    pages = FixtureServer().start()
    stack = Stack("pg", Path(tempfile.gettempdir()) / "linkhome-bench-e2e", pages.origin,
                  redis_url=args.redis_url, pg_url=args.pg_url, overrides=overrides)
    rounds: list[Round] = []
    try:
        stack.start()
        print(f"site up in {time.monotonic() - began:.0f} s: bin/run, settings in force "
              f"{stack.shell(SETTINGS_SCRIPT)}", flush=True)
        per_round = 1 + args.burst_users
        names = ["warm-a", "warm-b"] + [f"r{r}-u{u}" for r in range(args.repeat) for u in range(per_round)]
        memory_users = [f"m{u}" for u in range(-(-args.memory // MEMORY_LINKS_PER_USER))]
        names += memory_users
        tokens = json.loads(stack.shell(USERS_SCRIPT % (names,)))
        warm_up(stack, pages, tokens[:2])
        for number in range(1, args.repeat + 1):
            mine = tokens[2 + (number - 1) * per_round: 2 + number * per_round]
            rounds.append(measure_round(number, stack, pages, mine, args))
            print("\n".join(round_lines(number, rounds[-1], args.burst_users)), flush=True)
            found = json.loads(stack.shell(STAGES_SCRIPT % (f"e2e={number}-",)))
            if found["stages"]:
                claim, engine, recording = found["stages"]
                print(f"  server side of the latency runs (median ms): POST's row -> worker claims it {claim}, "
                      f"engine {engine}, recording the outcome {recording}; engine steps: "
                      + ", ".join(f"{name} {ms}" for name, ms in found["steps"].items()), flush=True)
        if args.memory:
            print("\n".join(memory_run(stack, pages, tokens[-len(memory_users):], args.memory)), flush=True)
    finally:
        stopped = stack.stop()
        pages.stop()
        if stopped["left_behind"]:
            print(f"processes left behind by bin/run: {stopped['left_behind']}")

    runs = sum(len(r.pairs) for r in rounds)
    not_held = sum(pair.waited.not_held for r in rounds for pair in r.pairs)
    print(f"\nsummary: {len(rounds)} round(s), {runs} latency runs each side, {args.burst} captures per burst "
          f"each side; every capture of ours had {', '.join(ARTIFACTS)}; every floor run made "
          f"{', '.join(OUTPUTS)}; one client waited on each snapshot (?wait={WAIT_SECONDS}; {not_held} of its reads "
          f"came back at once unfinished, a wait not held), the other polled every {args.poll_ms} ms (burst: "
          "one list request a second, the users in turn, the end read from the snapshots' finished times)")
    latency, throughput = ([getattr(r, name) for r in rounds] for name in ("latency_ratio", "throughput_ratio"))
    label = "median of the rounds" if len(rounds) > 1 else "one round"
    # Before the API could hold a read, the headline was the polling client's (the line after it).
    print(f"latency e2e/floor, the client waiting on the snapshot ({label}): {statistics.median(latency):.2f} "
          f"[{', '.join(f'{x:.2f}' for x in latency)}]  (target <= {TARGET_LATENCY})")
    for name, what in (("polled_ratio", f"the client polling every {args.poll_ms} ms"),
                       ("done_ratio", "POST -> recorded finish, no client")):
        ratios = [getattr(r, name) for r in rounds]
        print(f"latency {what} / floor ({label}): {statistics.median(ratios):.2f} "
              f"[{', '.join(f'{x:.2f}' for x in ratios)}]")
    print(f"throughput ours/two bare browsers ({label}): {statistics.median(throughput):.2f} "
          f"[{', '.join(f'{x:.2f}' for x in throughput)}]  (target >= {TARGET_THROUGHPUT})")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"whole bench {time.monotonic() - began:.0f} s; on a shared machine judge by the median of several rounds")


if __name__ == "__main__":
    main()
