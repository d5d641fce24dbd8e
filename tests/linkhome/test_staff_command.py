"""`make staff` creates a staff account in the database `make run` would use: the SQLite file
under DATA_DIR, migrated first, whatever folder the command is started from."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ADA = "--noinput --username ada --email ada@example.org"


def _env(data_dir: Path) -> dict[str, str]:
    # The suite's DATABASE_URL (PostgreSQL) is left out: `make run` on a fresh checkout has none.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MEDIA_ROOT", "CAPTURE_PROFILE_ROOT"}}
    env.update(DATA_DIR=str(data_dir), DJANGO_SUPERUSER_PASSWORD="a long enough password 93")
    return env


def test_make_staff_creates_a_staff_account_in_the_run_database(tmp_path):
    data_dir = tmp_path / "data"  # not there yet: the target makes it, as make run does
    result = subprocess.run(
        # -o setup: the shared set-up is not this test's business (it would reinstall packages).
        ["make", "-s", "-o", "setup", "-C", str(ROOT), "staff", f"STAFF_ARGS={ADA}"],
        env=_env(data_dir) | {"MAKEFLAGS": ""},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    database = data_dir / "linkhome.sqlite3"
    assert f"saved in {database}" in result.stderr
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT username, is_staff, is_superuser FROM accounts_user").fetchall()
    assert rows == [("ada", 1, 1)]
    assert [p.name for p in tmp_path.iterdir()] == ["data"]  # nothing stray where make was started


def test_staff_script_takes_createsuperuser_arguments(tmp_path):
    data_dir = tmp_path / "data"
    command = [str(ROOT / "bin" / "staff"), "--noinput", "--username", "grace", "--email", "grace@example.org"]
    result = subprocess.run(command, env=_env(data_dir), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(data_dir / "linkhome.sqlite3") as db:
        assert db.execute("SELECT email, is_staff FROM accounts_user").fetchall() == [("grace@example.org", 1)]
