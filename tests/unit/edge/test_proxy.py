"""Trusted proxy headers: addresses, TLS-ness and the forwarded client certificate (docs/adr/0025)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from csms_edge.domain.proxy import InvalidProxyList, TrustedProxies, certificate_from_header, forwarded

PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
PROXIES = TrustedProxies.parse(["10.0.0.0/8", "192.0.2.7", "::1"])


@pytest.mark.parametrize(
    ("address", "trusted"),
    [("10.1.2.3", True), ("192.0.2.7", True), ("192.0.2.8", False), ("::1", True), ("::ffff:10.0.0.1", True),
     ("garbage", False), ("", False)],
)  # fmt: skip
def test_trust(address: str, trusted: bool) -> None:
    assert PROXIES.trusts(address) is trusted


def test_an_invalid_entry_is_a_clear_error() -> None:
    with pytest.raises(InvalidProxyList, match=r"'10\.0\.0\.0/33'"):
        TrustedProxies.parse(["10.0.0.0/33"])


@pytest.mark.parametrize(
    ("header", "client"),
    [
        (["198.51.100.9"], "198.51.100.9"),
        # a client-written entry left of the real one is not believed
        (["6.6.6.6, 198.51.100.9"], "198.51.100.9"),
        (["198.51.100.9, 10.0.0.5"], "198.51.100.9"),  # through two trusted proxies
        (["198.51.100.9:5123"], "198.51.100.9"),
        (["[2001:db8::1]:443"], "2001:db8::1"),
        (["not-an-address"], None),
        ([], None),
    ],
)
def test_client_address_is_the_rightmost_untrusted_hop(header: list[str], client: str | None) -> None:
    assert PROXIES.client_address(header) == client


def test_nginx_escaped_pem() -> None:
    assert certificate_from_header(quote(PEM)) == PEM.strip().encode()


def test_envoy_xfcc_takes_the_nearest_proxys_element() -> None:
    old = quote("-----BEGIN CERTIFICATE-----\nOLD")
    value = f'By=spiffe://a;Hash=00;Cert="{old}",Hash=11;Cert="{quote(PEM)}"'
    assert certificate_from_header(value) == PEM.strip().encode()


@pytest.mark.parametrize("value", ["", "(null)", "Hash=00;Subject=x", 'Cert="garbage"'])
def test_a_header_without_a_certificate(value: str) -> None:
    assert certificate_from_header(value) == b""


def test_forwarded_facts() -> None:
    said = forwarded(PROXIES, ["198.51.100.9"], ["https"], [quote(PEM)])
    assert (said.client_address, said.tls, said.certificate_pem) == ("198.51.100.9", True, PEM.strip().encode())
    plain = forwarded(PROXIES, [], ["http"], [])
    assert (plain.client_address, plain.tls, plain.certificate_pem) == (None, False, None)
