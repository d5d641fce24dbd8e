"""The client's address behind trusted proxies (X-Forwarded-For read right to left), and only there."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.addresses import client_address
from accounts.models import LoginFailure
from tests.conftest import PASSWORD

PROXIES = [ipaddress.ip_network("172.18.0.0/16"), ipaddress.ip_network("fd00::/8")]
PROXY = "172.18.0.2"


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # No trusted proxy in front: the peer, whatever the header says.
        ("198.51.100.7", "203.0.113.1", "198.51.100.7"),
        # One trusted proxy: the hop it appended.
        (PROXY, "203.0.113.1", "203.0.113.1"),
        # A client that forges hops of its own: the proxy appended the real one on the right.
        (PROXY, "10.0.0.1, 127.0.0.1, 203.0.113.1", "203.0.113.1"),
        # Two trusted proxies in a row are skipped; the first untrusted hop is the client.
        (PROXY, "203.0.113.1, 172.18.0.9", "203.0.113.1"),
        # Every hop trusted: the leftmost one.
        (PROXY, "172.18.0.10, 172.18.0.9", "172.18.0.10"),
        # The proxy sent nothing: its own address.
        (PROXY, "", PROXY),
        # A hop we cannot read stops the walk at the nearest address we can vouch for.
        (PROXY, "203.0.113.1, unknown", PROXY),
        # Spellings proxies use: ports, brackets, IPv6, IPv4 mapped into IPv6.
        (PROXY, "203.0.113.1:5123", "203.0.113.1"),
        (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        ("fd00::2", "2001:db8::7", "2001:db8::7"),
        ("::ffff:172.18.0.2", "203.0.113.1", "203.0.113.1"),
        ("::ffff:198.51.100.7", "", "198.51.100.7"),
        # No peer at all (a Unix socket without a proxy header).
        ("", "203.0.113.1", None),
    ],
)
def test_client_address(peer, forwarded, client):
    assert client_address(peer, forwarded, PROXIES) == client


def _login(username: str, password: str, *, peer: str, forwarded: str):
    return Client().post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=PROXIES)
def test_behind_a_trusted_proxy_two_clients_are_told_apart(owner, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _login("owner", "guess", peer=PROXY, forwarded="203.0.113.1")
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"203.0.113.1"}
    refused = _login("owner", PASSWORD, peer=PROXY, forwarded="203.0.113.1")
    assert [e.code for e in refused.context["form"].errors.as_data()["__all__"]] == ["throttled"]
    # Another visitor through the same proxy is somebody else.
    allowed = _login("owner", PASSWORD, peer=PROXY, forwarded="198.51.100.2")
    assert allowed.status_code == 302 and allowed.wsgi_request.user.is_authenticated


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=PROXIES)
def test_an_untrusted_peer_cannot_pick_its_address(owner, settings):
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        _login("owner", "guess", peer="198.51.100.66", forwarded=f"203.0.113.{n}")
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"198.51.100.66"}
    refused = _login("owner", PASSWORD, peer="198.51.100.66", forwarded="203.0.113.99")
    assert refused.status_code == 200 and not refused.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_without_trusted_proxies_the_header_is_ignored(owner, settings):
    assert settings.TRUSTED_PROXIES == []
    _login("owner", "guess", peer=PROXY, forwarded="203.0.113.1")
    assert list(LoginFailure.objects.values_list("ip", flat=True)) == [PROXY]
