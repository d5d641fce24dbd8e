"""A tiny threaded HTTP server on 127.0.0.1 for capture tests and the benchmark.

Serves the files in tests/pages plus routes given as callables; counts every connection and
request, so a "forbidden" instance can prove nothing ever reached it.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).resolve().parent

# A route returns (status, headers, body) or writes the response itself and returns None.
Route = Callable[["Handler"], tuple[int, dict[str, str], bytes] | None]


class Handler(BaseHTTPRequestHandler):
    server: FixtureServer
    protocol_version = "HTTP/1.0"

    def _serve(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.record(self.path)
        route = self.server.routes.get(path)
        if route is not None:
            reply = route(self)
            if reply is None:
                return
            status, headers, body = reply
        else:
            status, headers, body = self._static(path)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _static(self, path: str) -> tuple[int, dict[str, str], bytes]:
        target = (PAGES / path.lstrip("/")).resolve()
        if PAGES not in target.parents or not target.is_file():
            return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>not found</h1>"
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type == "text/html" and target.name.endswith(".html") and "gbk" not in target.name:
            content_type = "text/html; charset=utf-8" if "big5" not in target.name else content_type
        return 200, {"Content-Type": content_type}, target.read_bytes()

    do_GET = do_HEAD = do_POST = _serve

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - keep test output quiet
        return


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, routes: dict[str, Route] | None = None):
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[str] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, name="fixture-server", daemon=True)

    def process_request(self, request, client_address) -> None:
        with self._lock:
            self.connections += 1
        super().process_request(request, client_address)

    def record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
