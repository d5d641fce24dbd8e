"""What this process is, in a word, for the database's list of sessions (pg_stat_activity).

Web, capture worker, service worker, scheduler or a manage.py command: with the word in
`application_name`, an operator (and bench_abuse) can tell whose queries load the database.
"""

from __future__ import annotations

import os
import sys


def process_role(argv: list[str] | None = None) -> str:
    argv = sys.argv if argv is None else argv
    program = os.path.basename(argv[0]) if argv else "python"
    if "gunicorn" in program:
        return "web"
    if "celery" in program:
        if "beat" in argv:
            return "beat"
        if "-n" in argv[:-1]:  # "-n capture@%h": the worker's name before the @
            return argv[argv.index("-n") + 1].split("@", 1)[0] or "worker"
        return "worker"
    if program == "manage.py" and len(argv) > 1:
        return argv[1]
    return program


def application_name(argv: list[str] | None = None) -> str:
    return f"linkhome {process_role(argv)}"[:63]  # PostgreSQL keeps 63 bytes
