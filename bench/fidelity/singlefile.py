"""SingleFile CLI, the anchor bench_fidelity compares our offline copy with.

SingleFile (https://github.com/gildas-lormeau/single-file-cli) is AGPL-3.0: it runs here, in
the bench, as a separate program, and never in the product. The bench installs the pinned
version itself with npm into bench/.singlefile/ (ignored by git) and runs it on Debian's
Chromium. Its options are pinned below, each at the value its README gives as the default
unless said otherwise, so that a new release changing a default cannot move the anchor.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

VERSION = "2.0.83"
FOLDER = Path(__file__).resolve().parents[1] / ".singlefile"
PROGRAM = FOLDER / "node_modules" / "single-file-cli" / "single-file-node.js"
OPTIONS = [
    "--browser-executable-path=/usr/bin/chromium",
    "--browser-arg=--no-sandbox",  # the bench may run as root
    "--browser-arg=--hide-scrollbars",
    "--browser-arg=--font-render-hinting=none",
    "--browser-headless=true",
    "--browser-width=1280",  # the capture viewport (not the default 720 px height)
    "--browser-height=800",
    "--browser-wait-until=networkIdle",
    "--browser-wait-until-delay=1000",
    "--browser-load-max-time=60000",
    "--block-scripts=true",
    "--block-videos=true",
    "--block-audios=true",
    "--load-deferred-images=true",
    "--load-deferred-images-max-idle-time=1500",
    "--remove-hidden-elements=true",
    "--remove-unused-styles=true",
    "--remove-unused-fonts=true",
    "--remove-frames=false",
    "--compress-HTML=true",
    "--compress-content=false",
    "--self-extracting-archive=false",  # only matters with compressed content, which is off
    "--insert-meta-CSP=true",
]


def install() -> None:
    """npm install of the pinned version, once."""
    if PROGRAM.exists() and json.loads((PROGRAM.parent / "package.json").read_text())["version"] == VERSION:
        return
    FOLDER.mkdir(exist_ok=True)
    (FOLDER / "package.json").write_text('{"name": "singlefile-anchor", "private": true}\n')
    subprocess.run(["npm", "install", "--save-exact", "--no-audit", "--no-fund", f"single-file-cli@{VERSION}"],
                   cwd=FOLDER, check=True, capture_output=True, timeout=300)


def save(url: str, target: Path, attempts: int = 6) -> tuple[bytes, float]:
    """SingleFile's page for `url`, and the seconds its last run took (its own browser start included).

    SingleFile 2.0.83 now and then fails at the start ("Execution context not found for
    SingleFile world", a race with the page's first frame, single-file-cli issue 198); such a run
    is tried again. With Chromium 156 about one run in five fails so, more on a busy machine.
    """
    for attempt in range(1, attempts + 1):
        target.unlink(missing_ok=True)
        started = time.monotonic()
        done = subprocess.run(["node", str(PROGRAM), *OPTIONS, url, str(target)], capture_output=True, text=True,
                              timeout=120)
        seconds = time.monotonic() - started
        if target.exists():
            return target.read_bytes(), seconds
        said = (done.stderr or done.stdout)[-300:].strip()
        print(f"  SingleFile made nothing for {url} (try {attempt} of {attempts}): {said}")
    raise RuntimeError(f"SingleFile made nothing for {url}")
