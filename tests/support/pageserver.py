"""Route helpers for the pipeline tests, served by tests.pages.server.FixtureServer."""

from __future__ import annotations

import threading

from tests.pages.server import PAGES, Handler, Route


def html(body: str, *, title: str = "", charset: str = "utf-8", status: int = 200) -> Route:
    document = (
        f"<!doctype html><html lang='zh-CN'><head><meta charset='{charset}'><title>{title}</title>"
        f"</head><body>{body}</body></html>"
    )
    payload = document.encode(charset)

    def route(_handler: Handler) -> tuple[int, dict[str, str], bytes]:
        return status, {"Content-Type": f"text/html; charset={charset}"}, payload

    return route


def busy_first(inner: Route, *, times: int = 1) -> Route:
    """The first `times` requests of each distinct path+query answer 503 with a busy page;
    later ones get `inner`'s answer."""
    seen: dict[str, int] = {}
    lock = threading.Lock()
    busy = html("<h1>服务器繁忙，请稍后再试</h1>", title="503 Service Unavailable", status=503)

    def route(handler: Handler):
        with lock:
            seen[handler.path] = seen.get(handler.path, 0) + 1
            first = seen[handler.path] <= times
        return busy(handler) if first else inner(handler)

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


MEMBERS_ONLY = "会员专享：2025年度财政报告全文，收入增长百分之五。"
LOGIN_WALL = "请先登录后阅读全文"


def members_site() -> dict[str, Route]:
    """A site whose article shows its text only after a cookie login (`/members/login` sets it),
    and a page that cuts off any window it opens (Cross-Origin-Opener-Policy: same-origin)."""
    article = html(
        f"<h1>年度报告</h1><p id='content'>{MEMBERS_ONLY}</p><img src='/members/photo.png' alt='图表'>",
        title="会员文章",
    )
    photo = (PAGES / "chart.png").read_bytes()
    wall = html(f"<h1>年度报告</h1><p id='wall'>{LOGIN_WALL}</p>", title="会员文章")
    isolated = html("<h1>隔离的页面</h1><p>本页不让别的窗口联系它。</p>", title="隔离的页面")

    def article_route(handler: Handler):
        logged_in = "member=yes" in (handler.headers.get("Cookie") or "")
        return (article if logged_in else wall)(handler)

    def login_route(_handler: Handler):
        return 200, {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": "member=yes; Path=/"}, \
            "<!doctype html><title>登录</title><p>已登录</p>".encode()

    def photo_route(handler: Handler):
        if "member=yes" not in (handler.headers.get("Cookie") or ""):
            return 403, {"Content-Type": "text/plain"}, b"members only"
        return 200, {"Content-Type": "image/png"}, photo

    def isolated_route(handler: Handler):
        status, headers, body = isolated(handler)
        return status, {**headers, "Cross-Origin-Opener-Policy": "same-origin"}, body

    return {
        "/members/article": article_route,
        "/members/photo.png": photo_route,
        "/members/login": login_route,
        "/members/isolated": isolated_route,
    }
