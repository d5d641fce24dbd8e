"""Server time and SQL query count of the list, tag and search pages on a large account.

Seed first, on a database of its own (never the development or test one):

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/linkhome_bench_search .venv/bin/python manage.py migrate
  DATABASE_URL=… .venv/bin/python manage.py seed_links --username bench --count 100000

then run with the same DATABASE_URL: .venv/bin/python bench/bench_search.py [--runs 40]

It runs the site as in production (DEBUG=0, static files collected first) unless DEBUG is set.

Each case is requested through Django's test client in-process (middleware, view, template,
all SQL), so the time is the server's, without network. Prints p50/p95 milliseconds, the
query count of every run (it must be the same for each run of a case), and the EXPLAIN
(ANALYZE, BUFFERS) plan of the search queries. Figures only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkhome.settings")
# Production settings: DEBUG adds per-request work that a deployed site does not do.
for name, value in {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "localhost",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
}.items():
    os.environ.setdefault(name, value)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from snapshots.models import Link, Share  # noqa: E402
from snapshots.search.query import search_links  # noqa: E402
from snapshots.sharing import shares  # noqa: E402

CASES = [
    ("list page", "/", {}),
    ("tag filter", "/", {"tag": "报告"}),
    ("list page 50", "/", {"page": "50"}),
    ("search 2-char Chinese 预算", "/search/", {"q": "预算"}),
    ("search 4-char Chinese 政务公开", "/search/", {"q": "政务公开"}),
    ("search English word budget", "/search/", {"q": "budget"}),
    ('search phrase "annual report"', "/search/", {"q": '"annual report"'}),
    ("search mixed + #tag", "/search/", {"q": "统计 #economics"}),
    ("search word found nowhere zzqx", "/search/", {"q": "zzqx"}),
    ('search phrase found nowhere', "/search/", {"q": '"国民经济 社会发展"'}),
    ("search 3-char Chinese 可支配", "/search/", {"q": "可支配"}),
    ("search 6-char Chinese 年度工作要点", "/search/", {"q": "年度工作要点"}),
    ("search Traditional 預算 (folded)", "/search/", {"q": "預算"}),
    ("search Traditional 政務公開", "/search/", {"q": "政務公開"}),
    ("API ?q=预算", "/api/links/", {"q": "预算"}),
]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)  # the manifest DEBUG=0 needs
    parser = argparse.ArgumentParser()
    parser.add_argument("--username", default="bench")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    user = User.objects.get(username=args.username)
    total = Link.objects.filter(owner=user).count()
    print(f"{connection.vendor}, user {user.username} with {total} links, {args.runs} runs per case\n")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    print(f"{'case':34} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'status':>6}")
    # A public share of the most used tag (about 7,500 of the links), created once.
    share = Share.objects.filter(owner=user, tag_name="报告").first() or shares.share_create(
        owner=user, tag="报告", title="bench"
    )
    shared = f"/s/{share.token}/"
    share_cases = [
        ("share page (7.5k links)", shared, {}),
        ("share search 政务公开", shared, {"q": "政务公开"}),
        ("share search budget", shared, {"q": "budget"}),
        ("share search Traditional 政務公開", shared, {"q": "政務公開"}),
    ]
    for name, path, params in CASES + share_cases:
        for _ in range(3):
            client.get(path, params)
        times, counts = [], set()
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(path, params)
                elapsed = (time.perf_counter() - start) * 1000
            times.append(elapsed)
            counts.add(len(queries.captured_queries))
        shown = ",".join(str(c) for c in sorted(counts))
        print(
            f"{name:34} {statistics.median(times):8.1f} {_percentile(times, 0.95):8.1f} {shown:>8} "
            f"{response.status_code:>6}"
        )
    if connection.vendor == "postgresql":
        for query in ("预算", "政务公开", '"annual report"'):
            results = search_links(Link.objects.filter(owner=user), query)
            for name, branch in (("title/tag matches", results.titles), ("other matches", results.others)):
                print(f"\nEXPLAIN (ANALYZE, BUFFERS) search {query}, {name}, first page:")
                print(branch.indexed.order_by("-created", "-id").values_list("pk", flat=True)[:20].explain(
                    analyze=True, buffers=True
                ))


if __name__ == "__main__":
    main()
