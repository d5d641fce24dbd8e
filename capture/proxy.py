"""The filtering forward proxy every browser request goes through.

Chromium is started with `--proxy-server` pointing here and `<-loopback>` so that not even
loopback or link-local destinations go around it. For each request the proxy parses host and
port itself, resolves the name itself (netguard.check_destination), and connects to the exact
address it checked, so a DNS answer cannot change between check and use. It also counts the
bytes of the current capture and cuts everything off once `max_bytes` is exceeded.

It runs as an asyncio loop in a daemon thread of the worker, one proxy per browser session, so
the capture scope (limits, allowed origins, what was blocked) belongs to one capture at a time.

Every destination the browser asks for, inside a capture or between captures, is logged and kept
in `destinations()`: Chromium must contact nothing but the pages it is sent to, and this record
is how that is proven rather than assumed.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from urllib.parse import urlsplit

from capture.netguard import AddressNotAllowed, check_destination
from capture.proxy_scope import LimitExceeded, ProxyEvent, Scope

logger = logging.getLogger("capture.netguard")

_HEAD_LIMIT = 64 * 1024
_HEAD_TIMEOUT = 30.0  # s for a client to send its request head
_IDLE_HEAD_TIMEOUT = 5.0  # the same between captures, where the request is only read to be logged
_DESTINATIONS_KEPT = 2000  # most recent requests remembered per proxy
_CHUNK = 64 * 1024
_CONNECT_TIMEOUT = 10.0
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "proxy-authenticate",
    "te",
    "trailer",
    "upgrade",
}


class BadRequest(Exception):
    """The client sent something that is not a proxy request we serve."""


@dataclass(frozen=True)
class Destination:
    """Where one request the browser sent was going (its host and port as the browser named them)."""

    method: str  # "CONNECT" for a tunnel (https, wss), else the HTTP method
    host: str
    port: int
    in_capture: bool  # False: it came between captures and was refused


def _split_authority(authority: str) -> tuple[str, int]:
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        port_text = rest.removeprefix(":")
    else:
        host, _, port_text = authority.rpartition(":")
    if not host or not port_text.isdigit():
        raise BadRequest(authority)
    return host.lower(), int(port_text)


def _rewrite_head(lines: list[str]) -> bytes:
    """Drop hop-by-hop headers and ask for one exchange per connection.

    One request per connection keeps the proxy from ever forwarding a second request over a
    connection it checked for a different host.
    """
    kept = [line for line in lines if line.split(":", 1)[0].strip().lower() not in _HOP_BY_HOP]
    return ("\r\n".join([*kept, "Connection: close", "", ""])).encode("latin-1")


def _body_length(method: str, lines: list[str]) -> int | None:
    """Bytes of body after a response head, None when it runs until the connection closes."""
    status = lines[0].split(" ", 2)[1] if lines[0].count(" ") else ""
    if method.upper() == "HEAD" or status in ("204", "304") or status.startswith("1"):
        return 0
    length = _header(lines, "content-length")
    if _header(lines, "transfer-encoding") or not length or not length.isdigit():
        return None
    return int(length)


def _header(lines: list[str], name: str) -> str | None:
    for line in lines:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == name:
            return value.strip()
    return None


class FilteringProxy:
    """A loopback HTTP proxy (plain requests and CONNECT) that enforces netguard's rules."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="capture-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._aborter: asyncio.Future | None = None
        self._stopping = threading.Event()
        self._stop_lock = threading.Lock()
        self.scope: Scope | None = None
        self.port = 0
        self._destinations: deque[Destination] = deque(maxlen=_DESTINATIONS_KEPT)

    def start(self) -> int:
        self._thread.start()
        self._server = self._call(
            asyncio.start_server(self._handle, "127.0.0.1", 0, limit=_HEAD_LIMIT)
        ).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    def _call(self, coro) -> Future:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stopping.is_set()

    def destinations(self) -> list[Destination]:
        """The most recent requests this proxy received, oldest first, refused ones included."""
        return list(self._destinations)

    def begin(self, scope: Scope) -> None:
        """Start a capture: drop every connection left from the previous one, then serve `scope`."""
        if not self.running:
            raise OSError("capture proxy is not running")
        self._call(self._abort_all()).result(5)
        self.scope = scope

    def end(self) -> None:
        """Stop serving: requests arriving between captures are refused."""
        self.scope = None
        if self.running:
            self._call(self._abort_all()).result(5)

    def stop(self) -> None:
        """Idempotent and callable from any thread (the deadline watchdog races the engine)."""
        with self._stop_lock:
            if self._stopping.is_set() or not self._thread.is_alive():
                return
            self._stopping.set()
            self.scope = None
            try:
                self._call(self._close()).result(5)
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(5)
                if not self._thread.is_alive():
                    self._loop.close()

    async def _close(self) -> None:
        """Stop listening and drop connections; asyncio servers may only be closed on their loop."""
        if self._server is not None:
            self._server.close()
        await self._abort_all()

    async def _abort_all(self) -> None:
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _limit_hit(self, scope: Scope) -> None:
        if scope.mark_limit():  # the first hit aborts every connection; later ones are its echoes
            logger.warning("capture download limit of %d bytes reached", scope.max_bytes)
            self._aborter = asyncio.ensure_future(self._abort_all())

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        scope = self.scope
        try:
            if scope is not None and scope.limit_reached:
                logger.debug("refused a request over the capture's download limit")
                return
            timeout = _HEAD_TIMEOUT if scope is not None else _IDLE_HEAD_TIMEOUT
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
            lines = head.decode("latin-1").split("\r\n")[:-2]
            parts = lines[0].split(" ")
            if len(parts) != 3:
                raise BadRequest(lines[0][:200])
            method, target, _version = parts
            self._note_destination(method, target, lines[1:], in_capture=scope is not None)
            if scope is None:
                return
            if method.upper() == "CONNECT":
                await self._tunnel(scope, target, reader, writer)
            else:
                await self._forward(scope, method, target, lines[1:], reader, writer)
        except asyncio.CancelledError:
            # Ended by _abort_all between captures; finishing normally keeps asyncio's
            # connection callback from logging the cancellation as an error.
            logger.debug("proxy connection closed at the end of a capture")
        except LimitExceeded:
            self._limit_hit(scope)
        except BadRequest as exc:
            logger.info("proxy refused a malformed request: %s", exc)
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, TimeoutError) as exc:
            logger.debug("proxy connection ended early: %r", exc)
        finally:
            self._tasks.discard(task)
            writer.close()

    def _note_destination(self, method: str, target: str, headers: list[str], *, in_capture: bool) -> None:
        method = method.upper()
        try:
            if method == "CONNECT":
                host, port = _split_authority(target)
            else:
                url = urlsplit(target)
                host, port = (url.hostname or _header(headers, "host") or ""), url.port or 80
        except (BadRequest, ValueError):
            host, port = target[:200], 0
        self._destinations.append(Destination(method, host, port, in_capture))
        if in_capture:
            logger.debug("browser asked for %s %s:%s", method, host, port)
        else:
            logger.info("refused a browser request outside a capture: %s %s:%s", method, host, port)

    async def _open(self, scope: Scope, event: ProxyEvent) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """Check the destination and connect to an address that passed; None when refused."""
        loop = asyncio.get_running_loop()
        try:
            addresses = await loop.run_in_executor(
                None, check_destination, event.scheme, event.host, event.port, scope.allowed, scope.resolver
            )
        except AddressNotAllowed as exc:
            scope.record(event.with_kind("blocked", str(exc)))
            logger.warning("blocked %s request to %s:%s (%s)", event.label, event.host, event.port, exc)
            return None
        except (OSError, UnicodeError, ValueError) as exc:
            scope.record(event.with_kind("unresolved", str(exc)))
            logger.info("could not resolve %s: %s", event.host, exc)
            return None
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await asyncio.wait_for(asyncio.open_connection(str(address), event.port), _CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                last_error = exc
        scope.record(event.with_kind("unreachable", str(last_error)))
        logger.info("could not connect to %s:%s: %s", event.host, event.port, last_error)
        return None

    async def _tunnel(self, scope: Scope, target: str, reader, writer) -> None:
        host, port = _split_authority(target)
        upstream = await self._open(scope, ProxyEvent("", None, host, port, None, target))
        if upstream is None:
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        up_reader, up_writer = upstream
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        upload = asyncio.ensure_future(self._pipe(scope, reader, up_writer, count=False))
        try:
            await self._pipe(scope, up_reader, writer, count=True)
        finally:
            await self._finish(upload)
            up_writer.close()

    async def _forward(self, scope: Scope, method: str, target: str, headers: list[str], reader, writer) -> None:
        try:
            url = urlsplit(target)
            port = url.port or 80
        except ValueError as exc:
            raise BadRequest(target[:200]) from exc
        if url.scheme.lower() != "http" or not url.hostname:
            raise BadRequest(target[:200])
        dest = _header(headers, "sec-fetch-dest")
        # Without Sec-Fetch-Dest (not sent to plain-http names) a page load still asks for HTML.
        navigation = dest == "document" or (dest is None and "text/html" in (_header(headers, "accept") or ""))
        upstream = await self._open(scope, ProxyEvent("", "http", url.hostname, port, dest, target, navigation))
        if upstream is None:
            return  # no response at all: the browser shows a network error, not a page of ours
        up_reader, up_writer = upstream
        path = url.path or "/"
        if url.query:
            path += "?" + url.query
        up_writer.write(_rewrite_head([f"{method} {path} HTTP/1.1", *headers]))
        upload = asyncio.ensure_future(self._pipe(scope, reader, up_writer, count=False))
        try:
            head = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), scope.header_timeout)
            lines = head.decode("latin-1").split("\r\n")[:-2]
            writer.write(_rewrite_head(lines))
            if not scope.account(len(head)):
                raise LimitExceeded
            await self._pipe(scope, up_reader, writer, count=True, remaining=_body_length(method, lines))
        finally:
            await self._finish(upload)
            up_writer.close()

    @staticmethod
    async def _finish(task: asyncio.Future) -> None:
        task.cancel()
        results = await asyncio.gather(task, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception) and not isinstance(result, ConnectionError):
                logger.debug("proxy upload side ended with %r", result)

    async def _pipe(self, scope: Scope, source, sink, *, count: bool, remaining: int | None = None) -> None:
        while remaining is None or remaining > 0:
            chunk = await source.read(_CHUNK if remaining is None else min(_CHUNK, remaining))
            if not chunk:
                break
            if count and not scope.account(len(chunk)):
                raise LimitExceeded
            sink.write(chunk)
            await sink.drain()
            if remaining is not None:
                remaining -= len(chunk)
        if sink.can_write_eof():
            try:
                sink.write_eof()
            except OSError:  # the other side hung up first: there is no one left to tell
                pass
