"""How long reading a hostile bookmark file takes: the parser alone, no database.

Shapes (each written to a temporary file, then read by `read_bookmarks` in a fresh process
with a time limit, so a runaway shape cannot stall the others):
  title-3mb       one link whose title is 3 MB of text cut by markup into 300,000 pieces
  fields-50mb     50 MB of links with long titles and descriptions cut by markup, 20 KB addresses
                  and 2,000-name TAGS attributes
  attribute-50mb  one address attribute that never closes, 50 MB long
  folders-50mb    folders nested 4 million deep, then 100,000 links

Usage: .venv/bin/python bench/bench_import_parse.py [shape ...] [--limit SECONDS]
Prints wall and CPU seconds, links read and peak memory per shape; asserts nothing.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkhome.settings")

MB = 2**20


def title_3mb(out) -> None:
    out.write(b'<DL><p><DT><A HREF="https://example.com/long-title">')
    # Markup inside the title splits it into many small pieces of text, as hostile files do.
    words = "很长的<b>标题</b> a &lt; title ".encode()
    out.write(words * (3 * MB // len(words)))
    out.write(b"</A>\n</DL><p>\n")


def fields_50mb(out) -> None:
    title = "标<i>题</i>".encode() * 20_000  # 40,000 characters in 40,000 pieces
    description = ("d" * 95 + "<br> ").encode() * 2_000  # 192,000 characters in 2,000 pieces
    tags = ",".join(f"tag{n}" for n in range(2_000)).encode()
    out.write(b"<DL><p>\n")
    written, n = 0, 0
    while written < 50 * MB:
        row = b"".join(
            [
                b'<DT><A HREF="https://example.com/', str(n).encode(), b"?", b"q" * 20_000,
                b'" ADD_DATE="1600000000" TAGS="', tags, b'">', title, b"</A>\n<DD>", description, b"\n",
            ]
        )
        out.write(row)
        written, n = written + len(row), n + 1
    out.write(b"</DL><p>\n")


def attribute_50mb(out) -> None:
    out.write(b'<DL><p><DT><A HREF="https://example.com/ok">ok</A>\n<DT><A HREF="https://example.com/')
    out.write(b"a" * (50 * MB))
    out.write(b"\n")


def folders_50mb(out) -> None:
    depth = 4_000_000
    out.write(b"<DT><H3>folder</H3><DL><p>" + b"<DL>" * depth)
    out.write(b"".join(b'<DT><A HREF="https://example.com/%d">link</A>\n' % n for n in range(100_000)))
    out.write(b"</DL>" * depth)


SHAPES = {
    "title-3mb": title_3mb,
    "fields-50mb": fields_50mb,
    "attribute-50mb": attribute_50mb,
    "folders-50mb": folders_50mb,
}

READ = """
import sys, time, resource, django
django.setup()
from snapshots.transfer.bookmarkfile import read_bookmarks
setup = resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime
started = time.perf_counter()
with open(sys.argv[1], "rb") as stream:
    count = sum(1 for _ in read_bookmarks(stream))
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - setup
print(f"{seconds:.2f} {cpu:.2f} {count} {usage.ru_maxrss // 1024}")
"""


def measure(shape: str, limit: float) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{shape}.html"
        with path.open("wb") as out:
            SHAPES[shape](out)
        size = path.stat().st_size / MB
        try:
            result = subprocess.run(
                [sys.executable, "-c", READ, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=limit
            )
        except subprocess.TimeoutExpired:
            return f"{shape:15} {size:6.1f} MB  more than {limit:.0f} s (stopped)"
        if result.returncode:
            return f"{shape:15} {size:6.1f} MB  failed: {result.stderr.strip().splitlines()[-1]}"
        seconds, cpu, count, peak = (float(value) for value in result.stdout.split())
        return f"{shape:15} {size:6.1f} MB {seconds:7.2f} s ({cpu:6.2f} s CPU) {count:>7.0f} links, peak {peak:.0f} MB"


def main(argv: list[str]) -> None:
    limit = 600.0
    if "--limit" in argv:
        at = argv.index("--limit")
        limit = float(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    shapes = argv or list(SHAPES)
    started = time.perf_counter()
    print(f"python {sys.version.split()[0]}, limit {limit:.0f} s a shape")
    for shape in shapes:
        print(measure(shape, limit), flush=True)
    used = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    print(f"total {time.perf_counter() - started:.1f} s wall, {used:.1f} s CPU in the readers")


if __name__ == "__main__":
    main(sys.argv[1:])
