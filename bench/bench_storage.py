"""Bytes stored for captures and re-captures, with artifacts shared by content hash and without.

Runs the real stack (bench/abuse/stack.py: `bin/run` in production mode with gunicorn, the
Celery workers with Chromium, Redis, a scratch PostgreSQL database) against 50 varied local
pages: Chinese articles of different lengths, tables, inline SVG charts, pages with a served
PNG, GBK and UTF-8 encodings, most with the site's one favicon. Each page is saved once, then
captured again three times by its owner's own request (POST /api/links/<id>/capture/, which
always makes a version: the scheduler's collapsing of unchanged versions plays no part). After
each round it prints:

  * files: what is on disk (every file under MEDIA_ROOT) with artifacts shared by content hash;
  * files without sharing: the sum of every snapshot's artifact sizes, which is exactly what the
    layout before content hashing wrote (one file per artifact per snapshot);
  * rows: the bytes of the snapshot and stored-file rows (pg_column_size of each row, TOAST
    included), and the relations' total size on disk;
  * which artifact kinds differed from the first capture on re-capture (those cannot be shared).

Usage: .venv/bin/python bench/bench_storage.py [--pages 50] [--rounds 3]
Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/linkhome_bench_storage,
dropped and created), BENCH_REDIS_URL (default redis://127.0.0.1:6379/12, flushed).
Figures only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from bench.abuse.stack import Client, Stack  # noqa: E402
from tests.pages.server import FixtureServer  # noqa: E402
from tests.support.pageserver import html  # noqa: E402

PARAGRAPH = "国务院办公厅关于进一步优化政务服务提升行政效能的意见，第{n}条：推动“高效办成一件事”常态化。"


def _png(seed: int) -> bytes:
    image = Image.new("RGB", (480, 270), (20 + seed * 7 % 200, 90, 160))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        draw.rectangle((i * 40, 270 - (seed * 13 + i * 29) % 250, i * 40 + 30, 270), fill=(240, 200, 40))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _static(content_type: str, body: bytes):
    return lambda _handler: (200, {"Content-Type": content_type}, body)


def _svg_chart(seed: int) -> str:
    bars = "".join(
        f"<rect x='{i * 22}' y='{200 - (seed * 17 + i * 31) % 180}' width='18' height='{(seed * 17 + i * 31) % 180}'"
        " fill='#1f6feb'/>"
        for i in range(16)
    )
    return f"<svg xmlns='http://www.w3.org/2000/svg' width='360' height='200'>{bars}</svg>"


def page_routes(count: int) -> dict:
    """`count` pages of five kinds, each different; most link the same favicon."""
    routes: dict = {"/favicon.png": _static("image/png", _favicon())}
    for n in range(count):
        kind = n % 5
        icon = "<link rel='icon' href='/favicon.png'>" if n % 4 else ""
        if kind == 0:  # an article, long or short
            body = "".join(f"<p>{PARAGRAPH.format(n=n * 100 + i)}</p>" for i in range(5 + n * 7))
        elif kind == 1:  # a table of figures
            rows = "".join(f"<tr><td>{n}-{i}</td><td>{(n * 37 + i * 11) % 9973}</td><td>{i % 9}.{n % 7}%</td></tr>"
                           for i in range(20 + n * 3))
            body = f"<h2>统计表 {n}</h2><table border=1><tr><th>编号</th><th>数值</th><th>增长</th></tr>{rows}</table>"
        elif kind == 2:  # a chart drawn in inline SVG
            body = f"<h2>图表 {n}</h2>{_svg_chart(n)}<p>{PARAGRAPH.format(n=n)}</p>"
        elif kind == 3:  # a served picture
            routes[f"/img/{n}.png"] = _static("image/png", _png(n))
            body = f"<h2>图片新闻 {n}</h2><img src='/img/{n}.png' width=480 height=270><p>{PARAGRAPH.format(n=n)}</p>"
        else:  # an older GBK page
            body = "".join(f"<p>{PARAGRAPH.format(n=n * 10 + i)}</p>" for i in range(30))
        charset = "gbk" if kind == 4 else "utf-8"
        route = html(f"{icon}<h1>页面 {n}</h1>{body}", title=f"测试页面 {n}", charset=charset)
        if icon:
            route = _with_head(route, icon)
        routes[f"/page/{n}.html"] = route
    return routes


def _favicon() -> bytes:
    image = Image.new("RGB", (32, 32), (200, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _with_head(route, icon: str):
    """Move the favicon link into the head, where browsers look for it."""

    def wrapped(handler):
        status, headers, body = route(handler)
        charset = "gbk" if "gbk" in headers["Content-Type"] else "utf-8"
        encoded = icon.encode(charset)
        body = body.replace(encoded, b"", 1).replace(b"</head>", encoded + b"</head>", 1)
        return status, headers, body

    return wrapped


def measure(database_url: str, media: Path) -> dict:
    files = [p for p in media.rglob("*") if p.is_file()]
    with psycopg.connect(database_url) as db:
        logical = db.execute("SELECT coalesce(sum(stored_bytes), 0), count(*) FROM snapshots_snapshot").fetchone()
        rows = db.execute(
            "SELECT (SELECT coalesce(sum(pg_column_size(s.*)), 0) FROM snapshots_snapshot s),"
            " (SELECT coalesce(sum(pg_column_size(f.*)), 0) FROM snapshots_storedfile f),"
            " pg_total_relation_size('snapshots_snapshot') + pg_total_relation_size('snapshots_storedfile')"
        ).fetchone()
    return {
        "files": sum(p.stat().st_size for p in files),
        "file_count": len(files),
        "unshared": int(logical[0]),
        "snapshots": logical[1],
        "rows": int(rows[0]) + int(rows[1]),
        "snapshot_rows": int(rows[0]),
        "relations": int(rows[2]),
    }


def changed_kinds(database_url: str) -> dict[str, int]:
    """Per artifact kind: links whose re-captures stored other bytes than their first capture."""
    with psycopg.connect(database_url) as db:
        found = db.execute(
            "SELECT kind, count(*) FROM (SELECT s.link_id, a.key AS kind, count(DISTINCT a.value) AS versions"
            " FROM snapshots_snapshot s, jsonb_each_text(s.artifacts) a WHERE s.status = 'succeeded'"
            " GROUP BY s.link_id, a.key) per_link WHERE versions > 1 GROUP BY kind ORDER BY kind"
        ).fetchall()
    return dict(found)


USER_SCRIPT = """
from accounts.models import User
from accounts.services import token_create
print(token_create(user=User.objects.create_user("storage"))[1])
"""


def call(client: Client, method: str, path: str, body: dict | None = None) -> dict:
    reply = client.call(method, path, json_body=body)
    if reply.status not in (200, 201):
        raise RuntimeError(f"{method} {path}: HTTP {reply.status} {reply.error or reply.body[:300]!r}")
    return reply.json()


def wait_round(client: Client, ids: list[int], timeout: float = 3600) -> tuple[int, int]:
    """Once every capture has ended: how many succeeded and failed (one read a second per capture left)."""
    deadline, left, ended = time.monotonic() + timeout, list(ids), []
    while left:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(left)} captures still unfinished after {timeout:.0f} s")
        time.sleep(1)
        statuses = {i: call(client, "GET", f"/api/snapshots/{i}/")["status"] for i in left}
        ended += [s for s in statuses.values() if s in ("succeeded", "failed")]
        left = [i for i, s in statuses.items() if s not in ("succeeded", "failed")]
    return ended.count("succeeded"), ended.count("failed")


def kb(n: int) -> str:
    return f"{n / 1024:,.0f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linkhome_bench_storage")
    pages = FixtureServer(page_routes(args.pages)).start()
    scratch = Path(tempfile.gettempdir()) / "linkhome-bench-storage"
    stack = Stack("pg", scratch, pages.origin, pg_url=database_url,
                  redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
                  overrides={"CAPTURE_USER_CONCURRENCY": "2", "STORAGE_QUOTA_MB": "0", "CAPTURE_RATE_PER_HOUR": "0",
                             "LINK_RATE_PER_MINUTE": "0", "LINK_RATE_PER_HOUR": "0"})
    media = scratch / "data" / "media"
    figures: list[tuple[str, dict]] = []
    try:
        stack.start()
        client = Client(stack.port, stack.shell(USER_SCRIPT))
        started = time.monotonic()
        links = [call(client, "POST", "/api/links/", {"url": pages.url(f"/page/{n}.html")}) for n in range(args.pages)]
        ok, failed = wait_round(client, [link["snapshots"][0]["id"] for link in links])
        figures.append((f"first capture ({ok} ok, {failed} failed)", measure(database_url, media)))
        for round_no in range(1, args.rounds + 1):
            ids = [call(client, "POST", f"/api/links/{link['id']}/capture/")["id"] for link in links]
            ok, failed = wait_round(client, ids)
            figures.append((f"re-capture {round_no} ({ok} ok, {failed} failed)", measure(database_url, media)))
        elapsed = time.monotonic() - started
        changed = changed_kinds(database_url)
    finally:
        stack.stop()
        pages.stop()

    first = figures[0][1]
    print(f"{args.pages} local pages, {args.rounds} re-captures each by the owner's request ({elapsed:.0f} s)\n")
    print(f"{'after':34} {'files (shared)':>15} {'files (unshared)':>17} {'rows':>11} {'relations':>11} {'files':>6}")
    for label, f in figures:
        print(
            f"{label:34} {kb(f['files']):>15} {kb(f['unshared']):>17} {kb(f['rows']):>11} {kb(f['relations']):>11}"
            f" {f['file_count']:>6}"
        )
    last = figures[-1][1]
    shared_first = first["files"] + first["rows"]
    unshared_first = first["unshared"] + first["rows"]
    shared_added = last["files"] + last["rows"] - shared_first
    unshared_added = last["unshared"] + last["rows"] - unshared_first
    print()
    print(f"first capture, files + rows: {kb(shared_first)} shared, {kb(unshared_first)} unshared")
    print(
        f"added by {args.rounds} re-captures, files + rows: {kb(shared_added)} shared "
        f"({100 * shared_added / shared_first:.1f}% of the first capture; "
        f"{100 * shared_added / shared_first / args.rounds:.1f}% per re-capture), "
        f"{kb(unshared_added)} unshared ({100 * unshared_added / unshared_first:.1f}%)"
    )
    print(f"  of which rows: {kb(last['rows'] - first['rows'])}; files: {kb(last['files'] - first['files'])}")
    print(f"links whose re-captures stored other bytes, by kind: {changed or 'none'}")


if __name__ == "__main__":
    main()
