"""The web while bulk work runs: list, search and API pages over HTTP before, during and right
after a bookmark import, on a large account, with production settings.

Seed a PostgreSQL database of its own first (never the development or test one) and keep a copy
to reset from, since the import adds links each run:

  createdb -h 127.0.0.1 -U postgres linkhome_bench_bulk
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/linkhome_bench_bulk .venv/bin/python manage.py migrate
  DATABASE_URL=… .venv/bin/python manage.py seed_links --username bench --count 100000
  psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE linkhome_bench_bulk_seed TEMPLATE linkhome_bench_bulk'

then: .venv/bin/python bench/bench_bulk.py --reset-from linkhome_bench_bulk_seed
      [--database-url …/linkhome_bench_bulk] [--site /path/to/another/checkout] [--import-links 20000]

It starts gunicorn (DEBUG=0, two workers, as the Dockerfile does) and a Celery worker for the
bulk queue from `--site` (this checkout by default, so the same script measures an older
checkout for a before/after), signs in as the seeded user, and prints p50/p95 milliseconds of:

  1. quiet: the list page, a tag filter and searches, one request at a time;
  2. during the import of `--import-links` bookmarks (their titles hold words found in no page
     text, 蜻蜓 among them): the list page, polled one request at a time until the job ends;
  3. right after it: the same searches and tag filters, the imported folder's tag, and the
     page after the last title match of 蜻蜓, a word found only in titles;
  4. API deep pages: ?q=报告 page 300 by number, and the same page reached by cursor.

Figures only; nothing here is asserted. The machine's load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ANCHOR = "list p95 < 100 ms while an import runs; searches right after it as fast as before"
TITLE_ONLY = "蜻蜓"  # in imported titles only: no seeded title or page text holds it
TITLE_ONLY_EVERY = 40  # one imported bookmark in 40 has it in its title

QUIET_CASES = [
    ("list page", "/", {}),
    ("list page 50", "/", {"page": "50"}),
    ("tag filter 报告", "/", {"tag": "报告"}),
    ("search 预算", "/search/", {"q": "预算"}),
    ("search 政务公开", "/search/", {"q": "政务公开"}),
    ("search budget", "/search/", {"q": "budget"}),
    ('search "annual report"', "/search/", {"q": '"annual report"'}),
    ("search 统计 #economics", "/search/", {"q": "统计 #economics"}),
    ("API ?q=预算", "/api/links/", {"q": "预算"}),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def bookmarks_file(count: int) -> bytes:
    """Real-world-shaped export: 20 folders, titles from everyday words, no page text yet."""
    rng = random.Random(7)
    words = ["周报", "笔记", "教程", "收藏", "工具", "文档", "指南", "预算", "报告", "python", "notes", "guide"]
    folders = []
    for folder in range(20):
        rows = []
        for i in range(folder, count, 20):
            title = " ".join(rng.sample(words, 3)) + f" {i}"
            if i % TITLE_ONLY_EVERY == 0:
                title = f"{TITLE_ONLY} {title}"
            rows.append(f'<DT><A HREF="https://bookmarks.example/{folder}/{i}" ADD_DATE="{1_600_000_000 + i}">'
                        f"{title}</A>")
        folders.append(f"<DT><H3>收藏夹{folder}</H3><DL><p>\n" + "\n".join(rows) + "\n</DL><p>")
    return ("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n" + "\n".join(folders) + "\n</DL><p>").encode()


class Site:
    """gunicorn and a bulk-queue Celery worker of one checkout, on a scratch data directory."""

    def __init__(self, site: Path, database_url: str, redis_url: str, port: int, scratch: Path):
        self.site, self.port, self.procs = site, port, []
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DATA_DIR": str(scratch / "data"),
            "MEDIA_ROOT": str(scratch / "media"),
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
        (scratch / "data" / "staticfiles").mkdir(parents=True)
        self.log = open(scratch / "site.log", "ab")  # noqa: SIM115 - owned by the subprocesses

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=self.site, env=self.env, check=True, capture_output=True,
            text=True,
        ).stdout

    def start(self) -> None:
        self.manage("collectstatic", "--noinput", "-v0")
        # The queue that checkout sends imports to (names differ between versions).
        queue = self.manage(
            "shell", "-c", "from snapshots import queues; print(queues.TASK_QUEUES[queues.IMPORT_TASK])"
        ).split()[-1]
        for command in (
            [str(BIN / "gunicorn"), "linkhome.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "2"],
            [str(BIN / "celery"), "-A", "linkhome", "worker", "-Q", queue, "-c", "1", "-l", "WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
        ):
            self.procs.append(subprocess.Popen(
                command, cwd=self.site, env=self.env, stdout=self.log, stderr=self.log, start_new_session=True
            ))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError("the site did not start")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


class Visitor:
    """The seeded user, signed in once for pages (a session) and once for the API (a token)."""

    def __init__(self, site: Site, username: str):
        self.base = f"http://127.0.0.1:{site.port}"
        out = site.manage("shell", "-c", (
            "from django.test import Client; from accounts.models import User; "
            "from accounts.services import token_create; "
            f"u = User.objects.get(username={username!r}); c = Client(); c.force_login(u); "
            "print(c.cookies['sessionid'].value, token_create(user=u, name='bench')[1])"
        ))
        self.session, self.token = out.strip().splitlines()[-1].split()

    def get(self, path: str, params: dict | None = None, *, api: bool = False) -> tuple[float, int, bytes]:
        url = path if path.startswith("http") else self.base + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Authorization": f"Token {self.token}"} if api else {"Cookie": f"sessionid={self.session}"}
        request = urllib.request.Request(url, headers=headers)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                body, status = response.read(), response.status
        except urllib.error.HTTPError as exc:
            body, status = exc.read(), exc.code
        return (time.perf_counter() - started) * 1000, status, body

    def post_import(self, data: bytes) -> int:
        boundary = "benchboundary7"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.html\"\r\n"
                f"Content-Type: text/html\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.base + "/api/import/", data=body, method="POST", headers={
            "Authorization": f"Token {self.token}", "Content-Type": f"multipart/form-data; boundary={boundary}",
        })
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())["id"]


def run_cases(visitor: Visitor, cases, runs: int) -> None:
    for name, path, params in cases:
        api = "/api/" in path
        times, statuses = [], set()
        for _ in range(runs):
            elapsed, status, _body = visitor.get(path, params, api=api)
            times.append(elapsed)
            statuses.add(status)
        shown = ",".join(str(s) for s in sorted(statuses))
        print(f"  {name:44} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f} {max(times):8.1f}"
              f"  first {times[0]:7.1f}  {shown}")


def header(title: str) -> None:
    print(f"\n{title}\n  {'case':44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")


def during_import(visitor: Visitor, count: int) -> None:
    job_id = visitor.post_import(bookmarks_file(count))
    started = time.monotonic()
    times: list[float] = []
    status, last_check = "queued", 0.0
    while status not in ("succeeded", "failed"):
        elapsed, _code, _body = visitor.get("/")
        times.append(elapsed)
        if time.monotonic() - last_check > 1:
            status = json.loads(visitor.get(f"/api/import/{job_id}/", api=True)[2])["status"]
            last_check = time.monotonic()
        time.sleep(0.05)  # poll gently: the machine is shared
    took = time.monotonic() - started
    print(f"\nduring the import of {count} bookmarks ({status} in {took:.0f} s), list page polled {len(times)} times:")
    print(f"  list p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
          f"max {max(times):.1f} ms   (target p95 < 100 ms)")


def after_import(visitor: Visitor, runs: int, count: int) -> None:
    title_matches = len(range(0, count, TITLE_ONLY_EVERY))
    after_last = title_matches // 20 + 1
    cases = [
        *QUIET_CASES[2:],
        ("tag filter 收藏夹3 (imported)", "/", {"tag": "收藏夹3"}),
        (f"search {TITLE_ONLY} (titles only)", "/search/", {"q": TITLE_ONLY}),
        (f"search {TITLE_ONLY} page {after_last} (after the last title)", "/search/",
         {"q": TITLE_ONLY, "page": str(after_last)}),
        (f"API ?q={TITLE_ONLY} page {after_last}", "/api/links/", {"q": TITLE_ONLY, "page": str(after_last)}),
    ]
    header(f"right after the import ({runs} runs each; 'first' is the first request)")
    run_cases(visitor, cases, runs)


def deep_pages(visitor: Visitor, runs: int) -> None:
    header("API deep pages, ?q=报告 (20 a page)")
    run_cases(visitor, [("page 300 by number", "/api/links/", {"q": "报告", "page": "300"})], runs)
    body = json.loads(visitor.get("/api/links/", {"q": "报告"}, api=True)[2])
    if "cursor=" not in (body["next"] or ""):
        print("  (this checkout hands out no cursors)")
        return
    steps: list[float] = []
    for _ in range(299):
        elapsed, _status, raw = visitor.get(body["next"], api=True)
        steps.append(elapsed)
        body = json.loads(raw)
    print(f"  {'page 300 by following next (cursor)':44} {steps[-1]:8.1f}   walk of 299 pages: "
          f"p50 {statistics.median(steps):.1f}, p95 {percentile(steps, 0.95):.1f}, max {max(steps):.1f}")
    run_cases(visitor, [("page 301 by that cursor, again", body["next"], {})], runs)


def reset(database_url: str, template: str) -> None:
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/linkhome_bench_bulk")
    parser.add_argument("--reset-from", help="template database to recreate --database-url from first")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--site", type=Path, default=ROOT, help="the checkout to run (default: this one)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--username", default="bench")
    parser.add_argument("--import-links", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if args.reset_from:
        reset(args.database_url, args.reset_from)
    scratch = Path(tempfile.mkdtemp(prefix="linkhome-bench-bulk-"))
    site = Site(args.site.resolve(), args.database_url, args.redis_url, args.port or free_port(), scratch)
    print(f"anchor: {ANCHOR}")
    print(f"site {site.site} (DEBUG=0, gunicorn -w 2, PostgreSQL {args.database_url.rsplit('/', 1)[1]}), "
          f"load average {os.getloadavg()[0]:.1f}")
    try:
        site.start()
        visitor = Visitor(site, args.username)
        header(f"quiet ({args.runs} runs each)")
        run_cases(visitor, QUIET_CASES, args.runs)
        during_import(visitor, args.import_links)
        after_import(visitor, args.runs, args.import_links)
        deep_pages(visitor, max(args.runs // 4, 3))
    finally:
        site.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
