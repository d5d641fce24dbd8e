"""A DNS server on loopback (dnslib) that answers with hostile records, for rebinding tests."""

from __future__ import annotations

from dnslib import AAAA, QTYPE, RCODE, RR, A
from dnslib.server import BaseResolver, DNSServer

RECORDS = {
    "rebind.test.": [("A", "127.0.0.1")],
    "v6.test.": [("AAAA", "::1")],
    "mixed.test.": [("A", "127.0.0.1"), ("AAAA", "::1")],
    "metadata.test.": [("A", "169.254.169.254")],
}


class HostileResolver(BaseResolver):
    def __init__(self) -> None:
        self.queries: list[str] = []

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).lower()
        self.queries.append(name)
        records = RECORDS.get(name)
        if records is None:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        for kind, value in records:
            if QTYPE[request.q.qtype] == kind:
                rdata = A(value) if kind == "A" else AAAA(value)
                reply.add_answer(RR(request.q.qname, getattr(QTYPE, kind), rdata=rdata, ttl=60))
        return reply


def start_dns() -> tuple[DNSServer, HostileResolver, int]:
    resolver = HostileResolver()
    server = DNSServer(resolver, address="127.0.0.1", port=0, logger=_Quiet())
    server.start_thread()
    return server, resolver, server.server.server_address[1]


class _Quiet:
    """dnslib logs every query to stdout by default; tests want silence."""

    def __getattr__(self, _name):
        return lambda *args, **kwargs: None
