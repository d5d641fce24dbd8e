"""What the proxy knows about the capture it currently serves: limits in, facts out.

The proxy thread writes these facts and the engine thread reads them, so the event list is
guarded by a lock; counters are single integers the GIL keeps consistent.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field

from capture.netguard import AllowedOrigins, Resolver


class LimitExceeded(Exception):
    """The capture downloaded more than its byte allowance."""


@dataclass(frozen=True)
class ProxyEvent:
    """One request the proxy refused or could not complete."""

    kind: str  # "blocked", "unresolved" or "unreachable"
    scheme: str | None  # None for a CONNECT tunnel, whose scheme the proxy cannot see
    host: str
    port: int
    dest: str | None  # Sec-Fetch-Dest ("document", "image", ...); Chromium sends it only to trustworthy origins
    target: str
    navigation: bool | None = None  # a page load (top-level or frame)? None for tunnels, which hide it
    detail: str = ""

    def with_kind(self, kind: str, detail: str) -> ProxyEvent:
        return dataclasses.replace(self, kind=kind, detail=detail)

    @property
    def label(self) -> str:
        return self.dest or ("tunnel" if self.scheme is None else "http")


@dataclass
class Scope:
    allowed: AllowedOrigins
    resolver: Resolver
    max_bytes: int
    header_timeout: float
    bytes_received: int = 0
    limit_reached: bool = False
    _events: list[ProxyEvent] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, event: ProxyEvent) -> None:
        with self._lock:
            self._events.append(event)

    def events(self) -> list[ProxyEvent]:
        with self._lock:
            return list(self._events)

    def account(self, size: int) -> bool:
        """Add downloaded bytes; False once the allowance is used up."""
        self.bytes_received += size
        return self.bytes_received <= self.max_bytes

    def mark_limit(self) -> bool:
        """Remember the limit was hit; True the first time, so it is logged once."""
        first = not self.limit_reached
        self.limit_reached = True
        return first

