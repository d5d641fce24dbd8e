"""Name resolution for the filtering proxy, replaceable so tests can prove DNS-based attacks.

The proxy never lets Chromium resolve names: it resolves them here, checks every answer with
netguard and connects to the very address it checked.
"""

from __future__ import annotations

import ipaddress
import logging
import socket

from dnslib import QTYPE, RCODE, DNSRecord

from capture.netguard import IPAddress, Resolver

logger = logging.getLogger(__name__)


class SystemResolver:
    """The operating system's resolver (`getaddrinfo`), as any program on the host would see."""

    def resolve(self, host: str) -> list[IPAddress]:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        found: list[IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in found:
                found.append(address)
        return found


class DnsServerResolver:
    """Asks one DNS server directly (A and AAAA over UDP, TCP when truncated).

    Used when the config names a DNS server: a deployment can pin a filtering resolver, and the
    tests run a tiny DNS server on loopback to serve hostile answers.
    """

    def __init__(self, server: str, timeout: float = 3.0):
        host, _, port = server.rpartition(":")
        self.host = host.strip("[]") or "127.0.0.1"
        self.port = int(port or 53)
        self.timeout = timeout

    def _ask(self, host: str, qtype: str) -> list[IPAddress]:
        query = DNSRecord.question(host, qtype)
        packet = query.send(self.host, self.port, timeout=self.timeout)
        reply = DNSRecord.parse(packet)
        if reply.header.tc:
            reply = DNSRecord.parse(query.send(self.host, self.port, tcp=True, timeout=self.timeout))
        if reply.header.rcode not in (RCODE.NOERROR, RCODE.NXDOMAIN):
            raise OSError(f"DNS server answered {RCODE[reply.header.rcode]} for {host}")
        wanted = getattr(QTYPE, qtype)
        return [ipaddress.ip_address(str(rr.rdata)) for rr in reply.rr if rr.rtype == wanted]

    def resolve(self, host: str) -> list[IPAddress]:
        name = host.rstrip(".")
        found = self._ask(name, "A") + self._ask(name, "AAAA")
        if not found:
            raise OSError(f"{name} did not resolve")
        return found


def resolver_for(server: str) -> Resolver:
    """The resolver a capture's config asks for: that DNS server ("host:port"), or the system's."""
    if server:
        return DnsServerResolver(server)
    return SystemResolver()
