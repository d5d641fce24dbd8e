"""Route helpers for the pipeline tests, served by tests.pages.server.FixtureServer."""

from __future__ import annotations

import threading

from tests.pages.server import Handler, Route


def html(body: str, *, title: str = "", charset: str = "utf-8") -> Route:
    document = (
        f"<!doctype html><html lang='zh-CN'><head><meta charset='{charset}'><title>{title}</title>"
        f"</head><body>{body}</body></html>"
    )
    payload = document.encode(charset)

    def route(_handler: Handler) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": f"text/html; charset={charset}"}, payload

    return route


def stall_first(inner: Route, *, release: threading.Event, limit: float = 120) -> Route:
    """The first request of each distinct path+query hangs until `release` is set (or `limit` s);
    later ones answer at once, so a retried capture of the same URL succeeds."""
    seen: set[str] = set()
    lock = threading.Lock()

    def route(handler: Handler):
        with lock:
            first = handler.path not in seen
            seen.add(handler.path)
        if first:
            release.wait(limit)
        return inner(handler)

    return route


def hits(server, path: str) -> int:
    """Requests for exactly `path` (query string included)."""
    return sum(1 for request in list(server.requests) if request == path)
