"""The app also runs on SQLite: the search tests must pass there too, without tsvector or GIN."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def test_search_and_row_suites_pass_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'search.sqlite3'}",
        "DATA_DIR": str(tmp_path / "data"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "TEST_DATABASE_NAME": "",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/snapshots/search/test_search.py", "tests/snapshots/web/test_rows.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
    assert connection.vendor in ("postgresql", "sqlite")
