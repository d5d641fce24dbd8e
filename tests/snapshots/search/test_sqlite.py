"""The app also runs on SQLite: the search tests must pass there too, without tsvector or GIN, the
pages must run the queries their exact counts list for SQLite, and concurrent writes must wait
for each other rather than fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
ON_SQLITE = [
    "tests/snapshots/search/test_search.py",
    "tests/snapshots/search/test_share_search.py",
    "tests/snapshots/search/test_folding.py",
    "tests/snapshots/web/test_rows.py",
    "tests/snapshots/web/test_bulk.py",
    "tests/snapshots/web/test_live.py",
    "tests/snapshots/web/test_queries.py",
    "tests/snapshots/web/test_search_page.py",
    "tests/snapshots/api/test_queries.py",
    "tests/snapshots/transfer/test_import_export.py::test_large_file_in_batches_through_the_task",
    "tests/snapshots/archive/test_dispatch.py",
    "tests/linkhome/test_guards.py",
    "tests/snapshots/transfer/test_import_pace.py",
    "tests/snapshots/test_dbstats.py",
    "tests/snapshots/transfer/test_backup.py",
]


def test_search_row_and_query_count_suites_pass_on_sqlite(tmp_path):
    (tmp_path / "data" / "staticfiles").mkdir(parents=True)  # collectstatic makes it in a deployment
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'search.sqlite3'}",
        "DATA_DIR": str(tmp_path / "data"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        # A file, as `make run` uses, not SQLite's in-memory database: several threads then
        # share one writer lock and wait for it the way web and worker processes do.
        "TEST_DATABASE_NAME": str(tmp_path / "test.sqlite3"),
        # The backup test restores a SQLite backup into a scratch database on this server.
        "POSTGRES_URL": os.environ["DATABASE_URL"],
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *ON_SQLITE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
    assert connection.vendor in ("postgresql", "sqlite")
