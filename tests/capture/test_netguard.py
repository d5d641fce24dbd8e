"""Address rules: every spelling of a private address is refused, public ones pass."""

from __future__ import annotations

import ipaddress

import pytest

from capture.netguard import (
    AddressNotAllowed,
    AllowedOrigins,
    check_destination,
    check_literal_host,
    check_resolved,
    is_forbidden_address,
    parse_ip_literal,
    unwrap,
)


@pytest.mark.parametrize(
    "spelling",
    ["127.0.0.1", "2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1", "017700000001", "127.1", "127.0.1",
     "0x7F.1", "127.0.0.1.", "[::1]", "::1", "[::ffff:127.0.0.1]", "::ffff:7f00:1", "[0:0:0:0:0:0:0:1]"],
)
def test_loopback_in_every_spelling_is_refused(spelling):
    address = parse_ip_literal(spelling)
    assert address is not None
    assert is_forbidden_address(address)
    with pytest.raises(AddressNotAllowed):
        check_literal_host(spelling)


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0", "::", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "100.127.255.254",
        "169.254.169.254", "169.254.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "198.18.0.1", "192.0.0.8", "192.0.2.1", "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1",
        "::ffff:10.0.0.1", "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo whose client is 127.0.0.1 (inverted bits)
        "::127.0.0.1",  # deprecated IPv4-compatible
    ],
)
def test_private_reserved_and_tunnelled_addresses_are_refused(address):
    assert is_forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450::1"])
def test_public_addresses_pass(address):
    assert not is_forbidden_address(ipaddress.ip_address(address))


def test_tunnelled_addresses_unwrap_to_their_ipv4():
    assert str(unwrap(ipaddress.ip_address("::ffff:127.0.0.1"))) == "127.0.0.1"
    assert str(unwrap(ipaddress.ip_address("64:ff9b::a9fe:a9fe"))) == "169.254.169.254"
    assert str(unwrap(ipaddress.ip_address("2002:c0a8:101::1"))) == "192.168.1.1"
    assert str(unwrap(ipaddress.ip_address("2001:0:4136:e378:8000:63bf:80ff:fffe"))) == "127.0.0.1"


@pytest.mark.parametrize("name", ["localhost", "LOCALHOST", "localhost.", "x.localhost", "a.b.localhost."])
def test_localhost_names_are_refused_without_dns(name):
    with pytest.raises(AddressNotAllowed):
        check_literal_host(name)


def test_names_that_are_not_ip_literals_are_left_to_dns():
    for name in ("example.com", "1.2.3.4.5", "256.1.1.1", "1e1.1.1.1", "localhost.example.com"):
        assert parse_ip_literal(name) is None
        check_literal_host(name)


def test_one_bad_dns_answer_poisons_the_name():
    good = ipaddress.ip_address("8.8.8.8")
    assert check_resolved("ok.test", [good]) == [good]
    with pytest.raises(AddressNotAllowed):
        check_resolved("mixed.test", [good, ipaddress.ip_address("127.0.0.1")])
    with pytest.raises(OSError):
        check_resolved("empty.test", [])


def test_allowed_origins_match_host_as_written_scheme_and_port_exactly():
    allowed = AllowedOrigins(["http://127.0.0.1:8001", "https://intranet.example:8443"])
    assert allowed.allows("http", "127.0.0.1", 8001)
    assert allowed.allows(None, "127.0.0.1", 8001)  # a CONNECT tunnel has no scheme
    assert not allowed.allows("https", "127.0.0.1", 8001)
    assert not allowed.allows("http", "127.0.0.1", 8002)
    assert not allowed.allows("http", "localhost", 8001)
    assert not allowed.allows("http", "2130706433", 8001)
    assert not allowed.allows("http", "127.0.0.2", 8001)
    assert allowed.allows("https", "INTRANET.example", 8443)
    assert not allowed.allows("https", "intranet.example", 443)
    assert not AllowedOrigins([])


class _Resolver:
    def __init__(self, answers):
        self.answers = answers
        self.asked: list[str] = []

    def resolve(self, host):
        self.asked.append(host)
        return [ipaddress.ip_address(a) for a in self.answers.get(host, [])] or _raise(host)


def _raise(host):
    raise OSError(f"{host} did not resolve")


def test_check_destination_resolves_once_and_returns_what_it_checked():
    resolver = _Resolver({"public.test": ["8.8.8.8"], "rebind.test": ["127.0.0.1"]})
    nothing = AllowedOrigins([])
    assert [str(a) for a in check_destination("http", "public.test", 80, nothing, resolver)] == ["8.8.8.8"]
    with pytest.raises(AddressNotAllowed):
        check_destination("http", "rebind.test", 80, nothing, resolver)
    with pytest.raises(AddressNotAllowed):
        check_destination(None, "0x7f.1", 443, nothing, resolver)
    with pytest.raises(AddressNotAllowed):
        check_destination("http", "8.8.8.8", 0, nothing, resolver)
    with pytest.raises(OSError):
        check_destination("http", "nowhere.test", 80, nothing, resolver)
    assert resolver.asked == ["public.test", "rebind.test", "nowhere.test"]


def test_check_destination_lets_an_allowed_origin_through_but_not_its_other_spellings():
    resolver = _Resolver({})
    allowed = AllowedOrigins(["http://127.0.0.1:8001"])
    assert [str(a) for a in check_destination("http", "127.0.0.1", 8001, allowed, resolver)] == ["127.0.0.1"]
    for host in ("2130706433", "localhost", "[::1]"):
        with pytest.raises(AddressNotAllowed):
            check_destination("http", host, 8001, allowed, resolver)
