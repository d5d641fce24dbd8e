"""Each process names itself to PostgreSQL, so pg_stat_activity says whose queries load the database."""

from __future__ import annotations

import pytest
from django.db import connection

from linkhome.process import application_name, process_role


@pytest.mark.parametrize(
    ("argv", "role"),
    [
        ([".venv/bin/gunicorn", "linkhome.wsgi", "-b", "127.0.0.1:8000"], "web"),
        ([".venv/bin/celery", "-A", "linkhome", "worker", "-n", "capture@%h", "-Q", "capture,bulk"], "capture"),
        (["celery", "-A", "linkhome", "worker", "-l", "INFO", "-n", "service@%h"], "service"),
        ([".venv/bin/celery", "-A", "linkhome", "beat", "-l", "INFO"], "beat"),
        (["python", "-m", "celery", "-A", "linkhome", "worker"], "python"),
        (["/usr/bin/celery", "-A", "linkhome", "worker", "-n"], "worker"),
        (["manage.py", "migrate"], "migrate"),
        ([], "python"),
    ],
)
def test_the_role_comes_from_the_command_line(argv, role):
    assert process_role(argv) == role


def test_the_name_fits_postgresql_and_the_session_carries_it(db):
    assert len(application_name(["manage.py", "x" * 100]).encode()) <= 63
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('application_name')")
            assert cursor.fetchone()[0].startswith("linkhome ")
