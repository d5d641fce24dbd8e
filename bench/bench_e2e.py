"""End-to-end capture speed: API POST → `succeeded`, against the bare-browser floor.

Runs the real stack on a scratch PostgreSQL database: gunicorn serving the API, a Celery worker
with the default settings (one warm Chromium per pool process), Redis, and a local page server
with the Chinese report from tests/pages. Prints, for the same page:

  * end-to-end latency: POST /api/links/ until the snapshot is `succeeded`, polled every 10 ms,
    median of N sequential captures;
  * the floor: the same capture steps (image encoding included) in a bare Selenium script with a
    warm browser (bench/bench_capture_floor.py), and the ratio of the two;
  * throughput: captures per minute of the default worker on a burst of links, against two warm
    bare browsers working side by side.

Usage: .venv/bin/python bench/bench_e2e.py [--runs 10] [--burst 40]
Figures only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import redis  # noqa: E402

from tests.pages.server import FixtureServer  # noqa: E402

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(method: str, url: str, token: str | None = None, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read())


def wait_until(check, timeout: float, interval: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("gave up waiting")


class Stack:
    """Database, web, worker and page server for one benchmark run."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.port = free_port()
        self.pages = FixtureServer().start()
        self.env = {
            **os.environ,
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linkhome_bench"),
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
            "DATA_DIR": str(scratch / "data"),
            "MEDIA_ROOT": str(scratch / "media"),
            "CAPTURE_PROFILE_ROOT": str(scratch / "chromium"),
            "CAPTURE_ALLOWED_ORIGINS": self.pages.origin,
            "CAPTURE_RATE_PER_HOUR": "0",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "1",
        }
        self.procs: list[subprocess.Popen] = []

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True, text=True
        ).stdout

    def start(self) -> str:
        url = self.env["DATABASE_URL"]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            name = url.rsplit("/", 1)[1]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        redis.Redis.from_url(self.env["REDIS_URL"]).flushdb()
        self.manage("migrate", "--noinput", "-v0")
        token = self.manage(
            "shell",
            "-c",
            "from accounts.models import User; from accounts.services import token_create; "
            "u=User.objects.create_user('bench', password='bench-password-123'); print(token_create(user=u)[1])",
        ).strip().splitlines()[-1]
        log = open(self.scratch / "stack.log", "ab")  # noqa: SIM115 - owned by the subprocesses
        self.procs.append(
            subprocess.Popen(
                [str(BIN / "gunicorn"), "linkhome.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "1", "--threads", "4"],
                cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True,
            )
        )
        self.procs.append(
            subprocess.Popen(
                [str(BIN / "celery"), "-A", "linkhome", "worker", "-l", "WARNING",
                 "--without-gossip", "--without-mingle"],
                cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True,
            )
        )
        wait_until(lambda: self._up(), timeout=60, interval=0.2)
        return token

    def _up(self) -> bool:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
            return True
        except OSError:
            return False

    def api(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/api/{path}"

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.pages.stop()


def capture_once(stack: Stack, token: str, url: str) -> float:
    started = time.perf_counter()
    link = request("POST", stack.api("links/"), token, {"url": url})
    snapshot_id = link["snapshots"][0]["id"]

    def done():
        snap = request("GET", stack.api(f"snapshots/{snapshot_id}/"), token)
        if snap["status"] == "failed":
            raise RuntimeError(f"capture failed: {snap['error']}")
        return snap["status"] == "succeeded"

    wait_until(done, timeout=120, interval=0.01)
    return time.perf_counter() - started


def burst(stack: Stack, token: str, count: int) -> float:
    """Captures per minute for `count` links posted at once.

    Completion is read with one list request every 500 ms (at most 0.5 s of a ~20 s window), so
    the measuring itself takes little from the two cores the worker needs.
    """
    started = time.perf_counter()
    for n in range(count):
        request("POST", stack.api("links/"), token, {"url": stack.pages.url(f"/report.html?burst={n}")})

    def all_done():
        links = request("GET", stack.api(f"links/?page_size={count}"), token)["results"]
        statuses = [link["snapshots"][0]["status"] for link in links if "burst=" in link["url"]]
        return len(statuses) == count and all(s in ("succeeded", "failed") for s in statuses)

    wait_until(all_done, timeout=600, interval=0.5)
    return count / (time.perf_counter() - started) * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--burst", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkhome.settings")

    scratch = Path(tempfile.mkdtemp(prefix="linkhome-bench-"))
    stack = Stack(scratch)
    try:
        token = stack.start()
        capture_once(stack, token, stack.pages.url("/report.html?warmup=1"))  # browsers warm
        latencies = [capture_once(stack, token, stack.pages.url(f"/report.html?run={n}")) for n in range(args.runs)]
        ours = statistics.median(latencies)
        per_minute = burst(stack, token, args.burst)
    finally:
        stack.stop()
    # Imported late: the floor module sets Django up for itself, after the stack has stopped.
    from bench import bench_capture_floor as floor

    pages = FixtureServer().start()
    try:
        floor_median = floor.floor_sequential_median(pages.url("/report.html"), args.runs)
        floor_per_minute = floor.floor_parallel_per_minute(pages.url("/report.html"), browsers=2, seconds=30)
    finally:
        pages.stop()
    shutil.rmtree(scratch, ignore_errors=True)

    print(f"end-to-end API POST -> succeeded, median of {args.runs}: {ours * 1000:.0f} ms "
          f"(min {min(latencies) * 1000:.0f}, max {max(latencies) * 1000:.0f})")
    print(f"bare warm Selenium floor, same steps, median of {args.runs}: {floor_median * 1000:.0f} ms")
    print(f"ratio end-to-end / floor: {ours / floor_median:.2f}  (target <= 1.5)")
    print(f"throughput, default worker, burst of {args.burst}: {per_minute:.0f} captures/min")
    print(f"throughput, two warm bare browsers: {floor_per_minute:.0f} captures/min")
    print(f"throughput ratio: {per_minute / floor_per_minute:.2f}  (target >= 0.80)")


if __name__ == "__main__":
    main()
