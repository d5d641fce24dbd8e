"""`make run`'s start script: its own Redis when none is named, services restarted when they die,
and nothing left running after it stops."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import urllib.request
from pathlib import Path

from tests.support.processes import descendants_of, pid_alive
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
# What the suite sets for itself and a plain `make run` would not have.
NOT_INHERITED = ("REDIS_URL", "DATABASE_URL", "DATA_DIR", "MEDIA_ROOT", "CAPTURE_PROFILE_ROOT", "TEST_DATABASE_NAME")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return None


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _pid_of(root: int, marker: str) -> int | None:
    for pid in descendants_of(root):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except FileNotFoundError:
            continue
        if marker in command and "bash" not in command:
            return pid
    return None


def test_run_brings_its_own_redis_restarts_a_killed_service_and_stops_everything(tmp_path):
    port, data = _free_port(), tmp_path / "data"
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(
        DATA_DIR=str(data), DATABASE_URL=f"sqlite:///{data / 'db.sqlite3'}", PORT=str(port), CAPTURE_CONCURRENCY="1"
    )
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        run = subprocess.Popen(
            ["bash", "bin/run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    started: list[int] = []
    try:
        assert wait_for(lambda: _health(port), timeout=120, what="the site to answer") == {"db": "ok", "redis": "ok"}
        config = data / "redis" / "redis.conf"
        assert stat.S_IMODE(config.stat().st_mode) == 0o600  # it holds the password
        redis_port = int(next(line.split()[1] for line in config.read_text().splitlines() if line.startswith("port ")))
        assert redis_port not in (6379, int(os.environ.get("TEST_REDIS_PORT", 0)))
        assert _pid_of(run.pid, f"redis-server 127.0.0.1:{redis_port}")

        beat = wait_for(lambda: _pid_of(run.pid, "celery -A linkhome beat"), timeout=30, what="beat")
        os.kill(beat, signal.SIGKILL)
        again = wait_for(
            lambda: (pid := _pid_of(run.pid, "celery -A linkhome beat")) not in (None, beat) and pid,
            timeout=30,
            what="beat to be started again",
        )
        assert "beat exited (status 137); starting it again in 1s" in log.read_text()
        assert pid_alive(again) and _health(port) == {"db": "ok", "redis": "ok"}
        assert any((data / "redis" / "appendonlydir").iterdir())  # queued tasks outlive a restart
    finally:
        started = descendants_of(run.pid)
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=60)
    assert wait_for(lambda: not [pid for pid in started if pid_alive(pid)], timeout=10, what="every process to end")
    assert not _answers(redis_port) and not _answers(port)
