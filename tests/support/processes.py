"""Real Celery workers, beat and Redis servers as subprocesses for integration and fault tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import redis

from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


def descendants_of(pid: int) -> list[int]:
    found: list[int] = []
    for child in children_of(pid):
        found.append(child)
        found.extend(descendants_of(child))
    return found


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


class CeleryProcess:
    """A `celery worker` (or `beat`) subprocess in its own process group."""

    def __init__(self, env: dict[str, str], log_path: Path, *args: str):
        self.env = env
        self.log_path = log_path
        self.args = args
        self.proc: subprocess.Popen | None = None

    def start(self) -> CeleryProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the subprocess owns it while it runs
        self.proc = subprocess.Popen(
            [CELERY, "-A", "linkhome", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def pool_children(self) -> list[int]:
        return children_of(self.pid)

    def kill_all(self) -> None:
        """kill -9 the worker and every process it started (browsers die with it by design)."""
        if self.proc is None:
            return
        victims = [self.pid, *descendants_of(self.pid)]
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=10)

    def kill_main_only(self) -> None:
        """kill -9 the worker's main and pool processes, leaving their Chromium orphaned."""
        if self.proc is None:
            return
        for pid in [self.pid, *self.pool_children()]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 30) -> None:
        """Warm shutdown (SIGTERM) so the worker quits its browsers; kill if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_all()

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


def worker(
    env: dict[str, str],
    log_path: Path,
    *,
    concurrency: int = 2,
    name: str = "test",
    queues: tuple[str, ...] = (),
) -> CeleryProcess:
    """A worker of every queue, or of `queues` only (as `bin/run` starts its two kinds)."""
    return CeleryProcess(
        env,
        log_path,
        "worker",
        *(("-Q", ",".join(queues)) if queues else ()),
        "-c",
        str(concurrency),
        "-n",
        f"{name}-{os.getpid()}@%h",
        "-l",
        "INFO",
        "--without-gossip",
        "--without-mingle",
    )


def beat(env: dict[str, str], log_path: Path, schedule: Path) -> CeleryProcess:
    return CeleryProcess(env, log_path, "beat", "-l", "INFO", "-s", str(schedule))


class RedisServer:
    """Start/stop control of the suite's own Redis (bin/test starts it and exports TEST_REDIS_PORT)."""

    def __init__(self, port: int, workdir: Path):
        self.port = port
        self.workdir = workdir

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)

    def is_up(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        try:
            self.client().shutdown(nosave=True)
        except redis.ConnectionError:
            pass  # shutdown closes the connection it was sent on
        wait_for(lambda: not self.is_up(), timeout=10, what="redis to stop")

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--daemonize", "yes", "--dir", str(self.workdir),
                "--logfile", str(self.workdir / "redis-restarted.log"),
            ],
            check=True,
        )
        wait_for(self.is_up, timeout=10, what="redis to start")


def chromium_pids(profile_root: Path) -> list[int]:
    """Browser processes whose command line names a profile under `profile_root`."""
    found = []
    marker = str(profile_root).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker in cmdline and (b"chrom" in cmdline) and pid_alive(int(entry.name)):
            found.append(int(entry.name))
    return found
