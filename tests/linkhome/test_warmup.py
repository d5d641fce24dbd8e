"""Web processes are warmed before they serve: every project template compiles ahead of a request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.template import engines

from linkhome.warmup import project_templates, warm_up

ROOT = Path(__file__).resolve().parents[2]


def test_warm_up_compiles_every_project_template_into_the_cached_loader():
    names = warm_up()
    assert names == project_templates() and "base.html" in names and "snapshots/link_list.html" in names
    cached = engines["django"].engine.template_loaders[0]
    assert {name for name in names} <= set(cached.get_template_cache)


def test_gunicorn_reads_the_config_and_its_hook_warms_the_site():
    config = (ROOT / "linkhome" / "gunicorn.conf.py").read_text()
    namespace: dict[str, object] = {}
    exec(compile(config, "gunicorn.conf.py", "exec"), namespace)  # noqa: S102 - our own config file
    assert namespace["preload_app"] is True and callable(namespace["when_ready"])
    for launcher in ("bin/run", "Dockerfile"):
        assert "-c linkhome/gunicorn.conf.py" in (ROOT / launcher).read_text(), launcher
    checked = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", "linkhome/gunicorn.conf.py", "linkhome.wsgi"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]


def test_a_worker_first_answers_a_health_check_of_its_own(transactional_db):
    from django.core.wsgi import get_wsgi_application

    from linkhome.warmup import first_request

    assert first_request(get_wsgi_application()) == 200
