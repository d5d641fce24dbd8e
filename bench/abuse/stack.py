"""The site under test for bench_abuse, started exactly as production starts it, and an HTTP client.

`bash bin/run` with DEBUG=0 (gunicorn, the Celery worker and beat it starts, whatever they are),
a database of the bench's own (a SQLite file or PostgreSQL `linkhome_bench_pg`), a Redis
database of its own (flushed first), and otherwise the default settings: the environment is
built from scratch, so nothing set in the caller's shell changes what is measured. The bench
talks to the site only over HTTP, as the reverse proxy would (`X-Forwarded-Proto: https`);
`manage.py shell` is used to create the two users and to read the settings and final counts.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
TICKS = os.sysconf("SC_CLK_TCK")
KEEP_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")


@dataclass
class Reply:
    status: int  # 0: no HTTP answer (refused, reset, timed out)
    body: bytes
    seconds: float
    error: str = ""

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def bad(self) -> bool:
        """What a user must never see: a server error or no answer at all."""
        return self.status == 0 or self.status >= 500


@dataclass
class Client:
    port: int
    token: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, method: str, path: str, *, body: bytes | None = None, json_body: object = None,
             headers: dict[str, str] | None = None, timeout: float = 30.0) -> Reply:
        sent = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", "Accept-Language": "zh-hans"}
        if self.token:
            sent["Authorization"] = f"Token {self.token}"
        if self.cookies:
            with self._lock:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            return Reply(0, b"", time.perf_counter() - started, f"{type(exc).__name__}: {exc}"[:200])
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            with self._lock:
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Reply(response.status, data, time.perf_counter() - started)

    def login(self, username: str, password: str) -> None:
        """A browser session through the login form (CSRF cookie, then the form post)."""
        self.call("GET", "/accounts/login/")
        origin = f"https://127.0.0.1:{self.port}"
        form = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), "username": username,
                          "password": password}).encode()
        reply = self.call("POST", "/accounts/login/", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": origin,
            "Referer": f"{origin}/accounts/login/"})
        if reply.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed: HTTP {reply.status} {reply.error}")

    def obtain_token(self, username: str, password: str) -> None:
        reply = self.call("POST", "/api/auth/token/", json_body={"username": username, "password": password})
        if reply.status != 201:
            raise RuntimeError(f"token for {username} refused: HTTP {reply.status} {reply.body[:200]!r}")
        self.token = reply.json()["token"]


def multipart(fields: dict[str, str], name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                 "Content-Type: text/html\r\n\r\n".encode())
    return b"".join([*parts, data, f"\r\n--{boundary}--\r\n".encode()]), f"multipart/form-data; boundary={boundary}"


SETTINGS_SCRIPT = """
import json, re
from django.conf import settings
from snapshots import models
wanted = re.compile(r"CAPTURE|IMPORT|RATE|LIMIT|MAX|CONCURRENCY|PER_|TAG|NOTES|TRUSTED|TIMEOUT|BUSY|PACE|BUDGET|SWEEP")
secret = re.compile(r"SECRET|PASSWORD|KEY$|TOKEN")
found = {n: getattr(settings, n) for n in dir(settings) if n.isupper() and wanted.search(n) and not secret.search(n)}
found["DATABASE"] = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
found["DATABASE_OPTIONS"] = settings.DATABASES["default"].get("OPTIONS", {})
found["CELERY_TASK_QUEUES"] = [q.name for q in settings.CELERY_TASK_QUEUES]
limits = {n: getattr(models, n) for n in dir(models)
          if n.isupper() and re.search(r"TAG|NOTES|PER_|LINKS", n) and isinstance(getattr(models, n), int)}
print(json.dumps({"settings": found, "model_limits": limits}, default=repr))
"""

TALLY_SCRIPT = """
import json
from django.db.models import Count
from snapshots.models import Link, Snapshot
mine = Snapshot.objects.filter(link__owner__username=%r)
rows = mine.values("trigger", "status", "error_code").annotate(n=Count("id")).order_by("trigger", "status")
print(json.dumps({"links": Link.objects.filter(owner__username=%r).count(), "snapshots": list(rows)}))
"""


class Stack:
    """One `bin/run` of the site on a fresh database; `stop()` leaves no process behind."""

    def __init__(self, db: str, scratch: Path, origin: str, *, redis_url: str, pg_url: str,
                 overrides: dict[str, str]) -> None:
        self.db, self.scratch, self.port = db, scratch, _free_port()
        database = f"sqlite:///{scratch / 'linkhome.sqlite3'}" if db == "sqlite" else pg_url
        self.env = {k: os.environ[k] for k in KEEP_ENV if k in os.environ}
        self.env.update({
            "PORT": str(self.port), "HOST": "127.0.0.1", "DATA_DIR": str(scratch / "data"), "DATABASE_URL": database,
            "REDIS_URL": redis_url, "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEBUG": "0", "CAPTURE_ALLOWED_ORIGINS": origin, **overrides,
        })
        self.log_path = scratch / "stack.log"
        self.process: subprocess.Popen | None = None
        self.seen: set[int] = set()

    def start(self, timeout: float = 300) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.scratch.mkdir(parents=True)
        if self.db == "pg":
            url = self.env["DATABASE_URL"]
            base, name = url.rsplit("/", 1)
            with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        redis.Redis.from_url(self.env["REDIS_URL"]).flushdb()
        log = open(self.log_path, "ab")  # noqa: SIM115 - written by the site's processes until they end
        self.process = subprocess.Popen(["bash", "bin/run"], cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while Client(self.port).call("GET", "/healthz", timeout=2).status != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"bin/run did not come up; see {self.log_path}")
            time.sleep(0.5)

    def shell(self, code: str) -> str:
        done = subprocess.run([str(PYTHON), "manage.py", "shell", "-c", code], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"manage.py shell failed: {done.stderr[-2000:]}")
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    def create_user(self, username: str, password: str) -> None:
        self.shell(f"from accounts.models import User; User.objects.create_user({username!r}, password={password!r})")

    def settings_in_force(self) -> dict:
        return json.loads(self.shell(SETTINGS_SCRIPT))

    def tally(self, username: str) -> dict:
        return json.loads(self.shell(TALLY_SCRIPT % (username, username)))

    def processes(self) -> list[tuple[int, int, float, str]]:
        """Every process of this run: bin/run's group and tree, and anything using the scratch folder."""
        table = process_table()
        ours = {self.process.pid} if self.process else set()
        grew = True
        while grew:
            children = {pid for pid, (ppid, *_rest) in table.items() if ppid in ours}
            grew = not children <= ours
            ours |= children
        for pid, (_ppid, pgid, _nice, _cpu, cmd) in table.items():
            if (self.process and pgid == self.process.pid) or str(self.scratch) in cmd:
                ours.add(pid)
        self.seen |= ours
        return sorted((pid, *table[pid][2:]) for pid in ours if pid in table and not _zombie(pid))

    def database_sessions(self) -> dict[int, str]:
        """PostgreSQL's server processes working for this run, by the site process they serve
        (`application_name`, e.g. "postgres for web"); none on SQLite, whose work is in-process."""
        url = self.env["DATABASE_URL"]
        if not url.startswith("postgres"):
            return {}
        with psycopg.connect(url, autocommit=True, application_name="bench") as conn:
            rows = conn.execute(
                "SELECT pid, application_name FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            ).fetchall()
        return {pid: f"postgres for {name.removeprefix('linkhome ') or 'other'}" for pid, name in rows}

    def stop(self) -> dict[str, object]:
        """SIGTERM to bin/run (it stops its services, which stop their pools and browsers); then
        escalate if that has not ended everything: Celery's cold shutdown, then SIGKILL."""
        started, steps = time.monotonic(), []
        self.processes()
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
        for step, wait in ((signal.SIGQUIT, 45), (signal.SIGKILL, 15), (None, 10)):
            deadline = time.monotonic() + wait
            while self._alive() and time.monotonic() < deadline:
                time.sleep(0.5)
            if not self._alive() or step is None:
                break
            steps.append(f"{step.name} after {time.monotonic() - started:.0f} s")
            for pid, *_rest in self.processes():
                _signal(pid, step)
        left = [cmd[:80] for *_rest, cmd in self.processes()]
        for pid, *_rest in self.processes():
            _signal(pid, signal.SIGKILL)
        if self.process:
            self.process.wait(timeout=10)
        for folder in ("data/media", "data/chromium", "data/staticfiles"):
            shutil.rmtree(self.scratch / folder, ignore_errors=True)
        return {"seconds": time.monotonic() - started, "escalations": steps, "left_behind": left}

    def _alive(self) -> bool:
        return bool(self.processes())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_table() -> dict[int, tuple[int, int, int, float, str]]:
    """pid -> (parent, process group, nice, CPU seconds used by it and its reaped children, command line)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        # With the reaped children's (cutime, cstime): a renderer that ended is counted in its parent.
        cpu = sum(int(x) for x in fields[11:15]) / TICKS
        table[int(entry.name)] = (int(fields[1]), int(fields[2]), int(fields[16]), cpu, cmd)
    return table


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return


def settings_lines(found: dict) -> list[str]:
    settings, limits = found["settings"], found["model_limits"]
    lines = ["settings in force (defaults, plus CAPTURE_ALLOWED_ORIGINS for the page server):"]
    first = ["DATABASE", "CELERY_WORKER_CONCURRENCY", "CAPTURE_USER_CONCURRENCY", "CAPTURE_RATE_PER_HOUR",
             "CELERY_TASK_QUEUES"]
    lines.append("  " + ", ".join(f"{k}={settings.get(k, '(not a setting)')}" for k in first))
    rest = [f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in sorted(settings.items()) if k not in first]
    rest += [f"models.{k}={v}" for k, v in sorted(limits.items())]
    line = " "
    for item in rest:
        if len(line) + len(item) > 118:
            lines.append(line)
            line = " "
        line += " " + item
    return [*lines, line]


def kind(cmd: str) -> str:
    """What a process of the site is, by its command line."""
    if "chromium" in cmd and "chromedriver" not in cmd:
        role = cmd.split("--type=", 1)[1].split()[0] if "--type=" in cmd else "browser"
        return f"chromium {role}"
    words = ("chromedriver", "gunicorn", "celery", "bin/run", "manage.py")
    return next((word for word in words if word in cmd), cmd.split()[0].rsplit("/", 1)[-1] if cmd else "?")


def process_lines(stack: Stack) -> list[str]:
    kinds: Counter[str] = Counter()
    commands: Counter[str] = Counter()
    for _pid, nice, _cpu, cmd in stack.processes():
        kinds[f"{kind(cmd)} (nice {nice})"] += 1
        if "chromium" not in kind(cmd):
            commands[cmd[:110]] += 1
    return [f"processes of bin/run: {dict(kinds)}", *(f"  {n} x {cmd}" for cmd, n in commands.items())]


def cpu_by_pid(stack: Stack, *extra: int) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each process of the run, and by the `extra` pids."""
    table = process_table()
    found = {pid: (kind(cmd), cpu) for pid, _nice, cpu, cmd in stack.processes()}
    found.update({pid: ("bench page server", table[pid][3]) for pid in extra if pid in table})
    found.update({pid: (name, table[pid][3]) for pid, name in stack.database_sessions().items() if pid in table})
    return found


def cpu_line(label: str, before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]],
             seconds: float) -> str:
    """CPU seconds by kind of process between two readings (processes that ended are missed)."""
    used: Counter[str] = Counter()
    for pid, (name, cpu) in after.items():
        used[name] += cpu - before.get(pid, (name, 0.0))[1]
    parts = ", ".join(f"{name} {cpu:.0f}" for name, cpu in used.most_common() if cpu >= 0.5)
    return f"{label}, CPU seconds used in {seconds:.0f} s ({os.cpu_count()} cores): {parts}"
