"""The client's address: the one function every limit keyed by address asks (`client_ip`).

Behind a reverse proxy every request arrives from the proxy, so the visitor's address is in
`X-Forwarded-For`, which the proxy appends to. Anyone can send that header, so only the part
written by proxies we trust is believed: the list is read right to left, trusted proxies are
skipped, and the first address that is not a trusted proxy is the client. A request whose peer
is not a trusted proxy is answered by its peer address, whatever header it carries.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(raw: str) -> Address | None:
    """One hop as proxies write it: `203.0.113.7`, `203.0.113.7:5123`, `[2001:db8::7]:443`, `2001:db8::7`."""
    text = raw.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]  # IPv4 with a port
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # one spelling per client, so its limits are counted together
    return address


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_address(peer: str, forwarded_for: str, proxies: Sequence[Network]) -> str | None:
    """The client as seen through `proxies`: `peer` is the socket's address, `forwarded_for` the header.

    If a trusted proxy wrote a hop we cannot read, the nearest address we can vouch for is used:
    guessing further left would let the sender pick its own address.
    """
    nearest = parse_address(peer)
    if nearest is None:
        return None
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()]
    while _trusted(nearest, proxies) and hops:
        hop = parse_address(hops.pop())
        if hop is None:
            break
        nearest = hop
    return str(nearest)


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address for limits and records; None only when the server was given no peer."""
    meta = request.META
    return client_address(meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""), settings.TRUSTED_PROXIES)
