"""The site as it serves an offline copy, in the bench's own process, for bench_fidelity.

Django is set up with production settings (DEBUG=0) on a scratch SQLite database and media
folder, and its WSGI application is served on 127.0.0.1 by the standard library's server
(the site runs under gunicorn, but the artifact view, its access check and its headers are
the same code). Every copy, ours and SingleFile's, is stored through the capture's own write
path (`lifecycle.snapshot_finish`: stored by content hash, recorded on a snapshot) and fetched
from the artifact URL `/snapshots/<id>/html/` with an API token, so it comes back with the
sandboxing CSP and every other header a reader's browser gets.

Redis is pointed at a port with no listener: nothing here sends a task, and a mistake could
not queue one on a Redis someone else uses.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from capture.results import Artifact, CaptureResult


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the standard library's name
        return


class _ThreadedServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Site:
    """Stores copies as snapshots of one user and serves them at their artifact URLs."""

    def __init__(self, scratch: Path) -> None:
        data = scratch / "site"
        for folder in ("media", "staticfiles"):
            (data / folder).mkdir(parents=True, exist_ok=True)
        os.environ.update({
            "DJANGO_SETTINGS_MODULE": "linkhome.settings", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "DATA_DIR": str(data),
            "MEDIA_ROOT": str(data / "media"), "DATABASE_URL": f"sqlite:///{data / 'bench.sqlite3'}",
            "REDIS_URL": "redis://127.0.0.1:9/0", "STORAGE_QUOTA_MB": "0",
        })
        import django

        django.setup()
        # This site has no Redis: the end of each stored copy has nobody to tell, and saying so each time is noise.
        logging.getLogger("snapshots.archive.ends").setLevel(logging.ERROR)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from accounts.models import User
        from accounts.services import token_create

        self.user = User.objects.create_user("fidelity", password=secrets.token_urlsafe(16))
        self.token = token_create(user=self.user, name="bench")[1]
        from django.core.wsgi import get_wsgi_application

        self.server = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=_ThreadedServer,
                                  handler_class=_Quiet)
        threading.Thread(target=self.server.serve_forever, name="fidelity-site", daemon=True).start()
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._links: dict[str, object] = {}

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}

    def store(self, page: str, result: CaptureResult) -> str:
        """Record `result` as a new version of the page's link; the URL its offline copy is viewed at."""
        from django.urls import reverse

        from snapshots.archive import lifecycle
        from snapshots.links import services
        from snapshots.models import Snapshot

        link = self._links.get(page)
        if link is None:
            # A public-looking address: the link only groups the versions, nothing fetches it.
            link = services.link_create(owner=self.user, url=f"https://fidelity.example/{page}/", capture=False)
            self._links[page] = link
        snapshot = Snapshot.objects.create(link=link, owner=self.user, status=Snapshot.Status.RUNNING)
        finished = lifecycle.snapshot_finish(snapshot.pk, result)
        if finished is None or finished.status != Snapshot.Status.SUCCEEDED or "html" not in finished.artifacts:
            raise RuntimeError(f"{page}: the copy was not stored ({getattr(finished, 'error_code', '?')})")
        return self.origin + reverse("snapshots:snapshot_artifact", args=[snapshot.pk, "html"])

    def store_html(self, page: str, html: bytes) -> str:
        """A copy made elsewhere (SingleFile's, a control), stored as a capture's offline copy."""
        result = CaptureResult(ok=True, final_url=f"https://fidelity.example/{page}/", title=page)
        result.artifacts["html"] = Artifact(html, "page.html", "text/html; charset=utf-8")
        return self.store(page, result)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
