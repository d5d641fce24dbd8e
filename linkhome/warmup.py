"""What a web process would otherwise pay for on its first requests, paid once before it serves.

gunicorn loads the site in its master process and calls `warm_up` there (linkhome/gunicorn.conf.py),
so every worker forked from it starts with the URL patterns imported, each language's catalog and
the search's Traditional-Simplified tables loaded and every project template compiled. Without it
the first requests of each process took 200-300 ms, which a visitor after a restart (or a p95 over
a few hundred requests) sees.
Nothing here opens a database connection: connections must not be shared across the fork.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.loader import get_template
from django.urls import get_resolver, reverse
from django.utils import translation

from snapshots.search.folding import load_tables


def project_templates() -> list[str]:
    """The names of the templates in the project's own folders (not those of installed apps)."""
    names = []
    for folder in (Path(d) for d in settings.TEMPLATES[0]["DIRS"]):
        names += sorted(str(path.relative_to(folder)) for path in folder.rglob("*.html"))
    return names


def warm_up() -> list[str]:
    """Import every view, load every catalog and the search's folding tables, compile every project
    template; returns the templates."""
    get_resolver().url_patterns  # noqa: B018 - reading it imports every URLconf and view module
    load_tables()
    names = project_templates()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("snapshots:link_list")
    engines["django"]  # noqa: B018 - builds the engine and its cached loader
    for name in names:
        get_template(name)
    return names


def first_request(app) -> int:
    """Send `app` (the WSGI application) one GET /healthz and return its status code."""
    from django.test import RequestFactory

    statuses: list[int] = []
    host = next((name.lstrip(".") for name in settings.ALLOWED_HOSTS if name != "*"), "localhost")
    environ = RequestFactory().get("/healthz", secure=True, HTTP_HOST=host).environ
    for _chunk in app(environ, lambda status, _headers, _exc=None: statuses.append(int(status.split()[0]))):
        pass
    return statuses[0] if statuses else 0
