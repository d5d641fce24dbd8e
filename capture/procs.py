"""Process bookkeeping for Chromium trees, read straight from /proc (Linux workers only).

Chromium forks a zygote, renderers and utility processes; chromedriver only knows the first.
Killing, measuring and reaping must see the whole tree, and orphan hunting must recognise a
tree by the profile folder it was started with.

Capture browsers run niced. Chromium sets its threads' niceness itself (0 for ordinary threads,
-8 for display ones), which only a process allowed to raise priority can do: as root, that is
everyone, so the browser tree also loses CAP_SYS_NICE before chromedriver starts.

A worker killed by SIGKILL or the OOM killer never runs `shutdown()`, so its Chromium keeps
running and its profile folder stays. Every capture browser is started with
`--user-data-dir=<profile root>/<worker pid>-<n>`; that pid says who owns the tree.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterable
from pathlib import Path

logger = logging.getLogger(__name__)


_PR_CAPBSET_DROP = 24
_CAP_SYS_NICE = 23
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def lowered_priority(nice: int) -> Callable[[], None] | None:
    """A `preexec_fn` that leaves the child at niceness `nice` (at least) for good; None for 0.

    It runs between fork and exec, so it calls only os.nice and a libc function looked up
    beforehand: nothing that could wait on a lock another thread of the worker held.
    """
    if nice <= 0:
        return None
    increment = max(0, nice - os.getpriority(os.PRIO_PROCESS, 0))
    prctl = _prctl

    def lower() -> None:
        prctl(_PR_CAPBSET_DROP, _CAP_SYS_NICE, 0, 0, 0)  # fails harmlessly where there is nothing to drop
        os.nice(increment)

    return lower


def niceness(pid: int) -> int | None:
    """The nice value of a process (its main thread), None when it is gone."""
    fields = _stat_fields(pid)
    return int(fields[16]) if fields else None


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may itself contain spaces or parentheses.
    return raw[raw.rfind(")") + 2 :].split()


def parent_of(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def is_running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid in all_pids():
        parent = parent_of(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    found: list[int] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def children_of(root: int) -> list[int]:
    """The processes under `root`, from each of their threads' `children` lists.

    Reads only the tree's own entries, where `descendants` reads the status of every process
    on the machine (with its threads' times: costly for Chromium's, 12 ms of a worker's CPU
    after every capture under load). The kernel may miss a child forked while its list is
    read, so this is for measuring; killing uses `descendants`.
    """
    found: list[int] = []
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children", "rb") as listing:
                    children = [int(child) for child in listing.read().split()]
            except OSError:
                continue
            found.extend(children)
            stack.extend(children)
    return found


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def rss_mb(pids: Iterable[int]) -> float:
    """Resident memory of the given processes, in MiB (shared pages counted in each).

    From `statm`, which the kernel answers from the memory map alone; `status` also walks the
    process's threads.
    """
    pages = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                pages += int(statm.read().split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return pages * _PAGE_BYTES / 1048576


def kill_all(pids: Iterable[int], wait: float = 3.0) -> None:
    """SIGKILL every pid, reap those that are our children, and wait until all are gone."""
    pending = set(pids)
    for pid in pending:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
        except PermissionError:
            logger.warning("not allowed to kill process %d", pid)
    deadline = time.monotonic() + wait
    while pending and time.monotonic() < deadline:
        for pid in list(pending):
            # Not our child: its own parent (or init) reaps it, we only watch it go.
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            if not is_running(pid):
                pending.discard(pid)
        if pending:
            time.sleep(0.01)
    if pending:
        logger.warning("processes still running after SIGKILL: %s", sorted(pending))


_PROFILE_NAME = re.compile(r"^(\d+)-(\d+)$")


def _owner(profile: Path, root: Path) -> int | None:
    if profile.parent != root:
        return None
    match = _PROFILE_NAME.match(profile.name)
    return int(match.group(1)) if match else None


def _profile_of(pid: int) -> Path | None:
    # Chromium's child processes rewrite their command line as one space-joined string.
    for argument in (word for part in cmdline(pid) for word in part.split(" ")):
        if argument.startswith("--user-data-dir="):
            return Path(argument.split("=", 1)[1])
    return None


def started_with(profile: Path) -> list[int]:
    """Running processes started with `--user-data-dir=<profile>`, wherever they were reparented."""
    profile = profile.resolve()
    return [pid for pid in all_pids() if (found := _profile_of(pid)) is not None and found.resolve() == profile
            and is_running(pid)]


def _is_orphaned(owner: int, keep: Path | None, profile: Path) -> bool:
    if profile == keep:
        return False
    return owner == os.getpid() or not is_running(owner)


def reap_orphans(root: Path, keep: Path | None = None) -> list[int]:
    """Kill capture browsers under `root` whose owner is dead or is this process, except `keep`.

    Called when a worker starts (its own pid can only own leftovers then, since pids are
    reused) and by tests. Their chromedriver parents go too. Returns the pids killed.
    """
    root = root.resolve()
    doomed: set[int] = set()
    for pid in all_pids():
        if pid == os.getpid():
            continue
        profile = _profile_of(pid)
        if profile is None:
            continue
        profile = profile.resolve()
        owner = _owner(profile, root)
        if owner is None or not _is_orphaned(owner, keep, profile):
            continue
        doomed.add(pid)
        parent = parent_of(pid)
        if parent and parent != os.getpid() and "chromedriver" in " ".join(cmdline(parent)[:1]):
            doomed.add(parent)
    if doomed:
        logger.warning("killing %d orphaned capture browser processes", len(doomed))
        kill_all(doomed)
    if root.is_dir():
        for folder in root.iterdir():
            owner = _owner(folder, root)
            if owner is not None and folder.is_dir() and _is_orphaned(owner, keep, folder):
                shutil.rmtree(folder, ignore_errors=True)
    return sorted(doomed)
