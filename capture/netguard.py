"""Address rules: which destinations a capture may reach.

Every network decision of the capture engine goes through `check_destination`, both for the
URL a user saves (Python side) and for every request the browser makes (the filtering proxy).
Python 3.11's `ipaddress` judges IPv4-mapped, 6to4, Teredo and NAT64 IPv6 addresses by their IPv6
range only, so those are unwrapped to the IPv4 address they carry before deciding.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64_PREFIXES = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
)
_EXTRA_FORBIDDEN = (
    ipaddress.IPv4Network("100.64.0.0/10"),  # CGNAT
    ipaddress.IPv4Network("0.0.0.0/8"),
    ipaddress.IPv4Network("192.0.0.0/24"),
    ipaddress.IPv4Network("198.18.0.0/15"),
    ipaddress.IPv4Network("224.0.0.0/3"),  # multicast + reserved up to broadcast
    ipaddress.IPv6Network("fc00::/7"),
    ipaddress.IPv6Network("fe80::/10"),
    ipaddress.IPv6Network("fec0::/10"),  # deprecated site-local, still routed on some LANs
    ipaddress.IPv6Network("ff00::/8"),
)
_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.IGNORECASE)
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


class AddressNotAllowed(Exception):
    """The destination is private, loopback, link-local, reserved or otherwise off limits."""


def parse_ip_literal(host: str) -> IPAddress | None:
    """Return the address a host spells, in any form a browser accepts, or None for a name.

    Browsers read `2130706433`, `0x7f.1`, `0177.0.0.1` and `127.1` as 127.0.0.1 (WHATWG URL
    host parsing); `inet_aton` implements the same legacy forms.
    """
    bare = host.strip().strip("[]").lower()
    if "%" in bare:  # IPv6 zone id: never a public destination
        bare = bare.split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare.rstrip(".")))
        except OSError:
            return None
    return None


def unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address tunnels to, if it carries one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
        for prefix in _NAT64_PREFIXES:
            if address in prefix:
                return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_forbidden_address(address: IPAddress) -> bool:
    """True unless both the address and any IPv4 address it tunnels to are globally routable."""
    inner = unwrap(address)
    for candidate in {address, inner}:
        if (
            not candidate.is_global
            or candidate.is_private
            or candidate.is_loopback
            or candidate.is_link_local
            or candidate.is_multicast
            or candidate.is_reserved
            or candidate.is_unspecified
            or (isinstance(candidate, ipaddress.IPv6Address) and candidate.is_site_local)
        ):
            return True
        if any(candidate.version == net.version and candidate in net for net in _EXTRA_FORBIDDEN):
            return True
    return False


def is_loopback_name(host: str) -> bool:
    """`localhost` and every `*.localhost` name resolve to loopback by RFC 6761, whatever DNS says."""
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int

    @classmethod
    def parse(cls, value: str) -> Origin:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an origin: {value!r}")
        return cls(parts.scheme, parts.hostname.lower(), parts.port or DEFAULT_PORTS[parts.scheme])

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


class AllowedOrigins:
    """The exact `scheme://host:port` origins exempted from the address rules.

    Matching is on the host as written, so allowing `http://127.0.0.1:8001` does not allow
    `http://localhost:8001`, `http://2130706433:8001` or any other port of that host.
    A proxy sees plain-HTTP requests with their scheme, but a CONNECT tunnel only as host:port,
    so tunnels match an allowed origin of either scheme.
    """

    def __init__(self, origins: Iterable[str] = ()):
        self._origins = frozenset(Origin.parse(o) for o in origins)

    def allows(self, scheme: str | None, host: str, port: int) -> bool:
        host = host.strip("[]").lower()
        return any(
            o.host == host and o.port == port and (scheme is None or o.scheme == scheme)
            for o in self._origins
        )

    def __bool__(self) -> bool:
        return bool(self._origins)


def check_literal_host(host: str) -> None:
    """Refuse a host that is by itself a forbidden destination (an IP literal or localhost)."""
    address = parse_ip_literal(host)
    if address is not None and is_forbidden_address(address):
        raise AddressNotAllowed(host)
    if address is None and is_loopback_name(host):
        raise AddressNotAllowed(host)


def check_origin_host(scheme: str, host: str, port: int | None, allowed: AllowedOrigins) -> None:
    """The URL-level rule, shared by saving and capturing: an allowed origin passes, otherwise a
    host that is by itself forbidden (IP literal, localhost) raises AddressNotAllowed."""
    if allowed.allows(scheme, host, port or DEFAULT_PORTS[scheme]):
        return
    check_literal_host(host)


def check_resolved(host: str, addresses: Iterable[IPAddress]) -> list[IPAddress]:
    """All resolved addresses must be allowed: one bad answer poisons the name."""
    found = list(addresses)
    if not found:
        raise OSError(f"{host} did not resolve")
    bad = [a for a in found if is_forbidden_address(a)]
    if bad:
        raise AddressNotAllowed(f"{host} -> {bad[0]}")
    return found


class Resolver(Protocol):
    """Turns a host name into addresses; the proxy asks it so the answer it checks is the one it uses."""

    def resolve(self, host: str) -> list[IPAddress]: ...


def check_destination(
    scheme: str | None,
    host: str,
    port: int,
    allowed: AllowedOrigins,
    resolver: Resolver,
) -> list[IPAddress]:
    """Return the addresses a connection to host:port may use, or raise AddressNotAllowed.

    The caller must connect to one of the returned addresses and never resolve the name again:
    a second lookup is where DNS rebinding slips a private address in after the check.
    An allowed origin skips the address rules (that is its purpose) but still connects by the
    addresses found here. Raises OSError when the name does not resolve.
    """
    if not 0 < port < 65536:
        raise AddressNotAllowed(f"{host}:{port}")
    literal = parse_ip_literal(host)
    if allowed.allows(scheme, host, port):
        return [literal] if literal is not None else resolver.resolve(host.strip("[]"))
    check_literal_host(host)
    if literal is not None:
        return [literal]
    return check_resolved(host, resolver.resolve(host))
