"""Which OCPP security profile a connection proves (docs/adr/0024, 0025), as a pure decision on what the
transport established: 1 plain ws://; 2 TLS (direct, or a trusted proxy said so) without a usable client
certificate; 3 TLS with a client certificate that chains to the station CA and whose subject CN equals the
station id of the path. A certificate that fails (another CA, expired, another station's CN) refuses the
handshake: presenting somebody else's certificate is an attack, not a lower profile. No I/O.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    """A client certificate as the transport saw it: `error` is why it did not verify against the station CA
    (None: it did), `common_name` its subject CN."""

    common_name: str | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Transport:
    """What the connection established: TLS or not, the client certificate, the client's address (after a
    trusted proxy's `X-Forwarded-For`), and the proxy headers ignored because the peer is not a trusted proxy."""

    tls: bool
    remote_address: str
    client_certificate: ClientCertificate | None = None
    via_proxy: bool = False
    ignored_proxy_headers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CertificateRejected:
    reason: str


def presented_profile(transport: Transport, station_id: str) -> int | CertificateRejected:
    certificate = transport.client_certificate
    if not transport.tls:
        return 1
    if certificate is None:
        return 2
    if certificate.error is not None:
        return CertificateRejected(certificate.error)
    if certificate.common_name != station_id:
        return CertificateRejected(
            f"client certificate CN {certificate.common_name!r} is not the station id {station_id!r}"
        )
    return 3
