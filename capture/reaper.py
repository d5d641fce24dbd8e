"""Clean up Chromium trees and profile folders that a dead (or restarted) worker left behind.

A worker killed by SIGKILL or the OOM killer never runs `shutdown()`, so its Chromium keeps
running and its profile folder stays. Every capture browser is started with
`--user-data-dir=<CAPTURE_PROFILE_ROOT>/<worker pid>-<n>`; that pid says who owns the tree.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

from capture import procs

logger = logging.getLogger(__name__)

_PROFILE_NAME = re.compile(r"^(\d+)-(\d+)$")


def _owner(profile: Path, root: Path) -> int | None:
    if profile.parent != root:
        return None
    match = _PROFILE_NAME.match(profile.name)
    return int(match.group(1)) if match else None


def _profile_of(pid: int) -> Path | None:
    for argument in procs.cmdline(pid):
        if argument.startswith("--user-data-dir="):
            return Path(argument.split("=", 1)[1])
    return None


def _is_orphaned(owner: int, keep: Path | None, profile: Path) -> bool:
    if profile == keep:
        return False
    return owner == os.getpid() or not procs.is_running(owner)


def reap_orphans(root: Path, keep: Path | None = None) -> list[int]:
    """Kill capture browsers under `root` whose owner is dead or is this process, except `keep`.

    Called when a worker starts (its own pid can only own leftovers then, since pids are
    reused) and by tests. Their chromedriver parents go too. Returns the pids killed.
    """
    root = root.resolve()
    doomed: set[int] = set()
    for pid in procs.all_pids():
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
        parent = procs.parent_of(pid)
        if parent and parent != os.getpid() and "chromedriver" in " ".join(procs.cmdline(parent)[:1]):
            doomed.add(parent)
    if doomed:
        logger.warning("killing %d orphaned capture browser processes", len(doomed))
        procs.kill_all(doomed)
    if root.is_dir():
        for folder in root.iterdir():
            owner = _owner(folder, root)
            if owner is not None and folder.is_dir() and _is_orphaned(owner, keep, folder):
                shutil.rmtree(folder, ignore_errors=True)
    return sorted(doomed)
