"""Trusted TLS-terminating proxies (docs/adr/0025): which peers may tell the edge the client's address
(`X-Forwarded-For`), whether the client used TLS (`X-Forwarded-Proto`) and its client certificate (a configured
header: URL-encoded PEM as nginx's `$ssl_client_escaped_cert`, or Envoy's `X-Forwarded-Client-Cert` element with
`Cert="<URL-encoded PEM>"`). From any other peer these headers are ignored. Pure: parsing only; the forwarded
certificate is verified by `domain.client_certificates`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

FORWARDED_FOR = "X-Forwarded-For"
FORWARDED_PROTO = "X-Forwarded-Proto"
PEM_BEGIN = "-----BEGIN CERTIFICATE-----"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class InvalidProxyList(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Forwarded:
    """What a trusted proxy said: the client's address (None: not said), TLS, and the certificate PEM it passed
    (None: none; `b""`: a header that is not a certificate)."""

    client_address: str | None
    tls: bool
    certificate_pem: bytes | None


class TrustedProxies:
    def __init__(self, networks: Sequence[Network]) -> None:
        self._networks = tuple(networks)

    @classmethod
    def parse(cls, entries: Iterable[str]) -> TrustedProxies:
        """From addresses and CIDRs (`10.0.0.0/8`, `192.0.2.7`, `::1`); raises InvalidProxyList."""
        networks: list[Network] = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError as exc:
                raise InvalidProxyList(f"trusted proxy {entry!r} is not an address or CIDR: {exc}") from exc
        return cls(networks)

    def __bool__(self) -> bool:
        return bool(self._networks)

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self._networks)

    def client_address(self, forwarded_for: Sequence[str]) -> str | None:
        """The right-most address of `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends
        the peer it saw, so entries left of it could have been written by the client)."""
        hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return _address(hop)
        return _address(hops[0]) if hops else None


def _address(hop: str) -> str | None:
    """An address of an `X-Forwarded-For` entry, or None when it is not one."""
    candidate = hop[1:].partition("]")[0] if hop.startswith("[") else hop
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        host, _, port = candidate.rpartition(":")
        if port.isdigit():
            try:
                return str(ipaddress.ip_address(host))
            except ValueError:
                return None
        return None


def certificate_from_header(value: str) -> bytes:
    """The PEM of a client certificate header: URL-encoded PEM, or the last element of an Envoy XFCC header
    (`By=...;Hash=...;Cert="<URL-encoded PEM>"`, elements separated by commas, the nearest proxy's last).
    `b""` when the value carries no certificate."""
    value = value.strip()
    if "cert=" in value.lower() and not unquote(value).lstrip().startswith(PEM_BEGIN):
        element = value.split(",")[-1]
        for pair in element.split(";"):
            key, _, item = pair.strip().partition("=")
            if key.lower() == "cert":
                value = item.strip().strip('"')
                break
        else:
            return b""
    pem = unquote(value).strip()
    return pem.encode() if pem.startswith(PEM_BEGIN) else b""


def forwarded(
    proxies: TrustedProxies,
    forwarded_for: Sequence[str],
    forwarded_proto: Sequence[str],
    client_certificate: Sequence[str],
) -> Forwarded:
    """What a trusted proxy's headers say (the last value of each header: the nearest proxy's)."""
    proto = forwarded_proto[-1].split(",")[-1].strip().lower() if forwarded_proto else ""
    certificate = certificate_from_header(client_certificate[-1]) if client_certificate else None
    return Forwarded(
        client_address=proxies.client_address(forwarded_for),
        tls=proto in ("https", "wss") or bool(certificate),
        certificate_pem=certificate,
    )
