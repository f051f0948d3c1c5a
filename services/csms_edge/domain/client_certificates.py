"""Verification of a station's client certificate against the station CA: `verify_chain` with `cryptography`'s
X.509 path validation (certificates a trusted proxy forwards); `check_validity` the validity periods of a direct
TLS connection's certificate, whose chain OpenSSL verified against the same CA without its times (`adapters.tls`:
so that an expired certificate is refused with 401 and a security event, not a TLS alert). Pure: the CA
certificates and the time are passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509
from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store, VerificationError

from csms_edge.domain.profiles import ClientCertificate
from csms_kernel.pki.certificates import common_name

# Station certificates (OCPP 2.0.1 Part 2 A00.FR.4xx) name the station in the subject CN and carry no
# subjectAltName, which the Web PKI end-entity defaults require; everything else keeps the Web PKI rules.
_STATION_LEAF_POLICY = ExtensionPolicy.webpki_defaults_ee().may_be_present(
    x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
)


def verify_chain(pem: bytes, station_cas: Sequence[x509.Certificate], now: dt.datetime) -> ClientCertificate:
    """The leaf's CN and, if it does not chain to one of `station_cas` at `now` (or is not a certificate at
    all), why not."""
    try:
        chain = x509.load_pem_x509_certificates(pem)
    except ValueError:
        return ClientCertificate(None, "client certificate is not a PEM certificate")
    leaf, intermediates = chain[0], chain[1:]
    name = common_name(leaf)
    if not station_cas:
        return ClientCertificate(name, "no station CA is configured")
    verifier = (
        PolicyBuilder()
        .store(Store(list(station_cas)))
        .time(now)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=_STATION_LEAF_POLICY)
        .build_client_verifier()
    )
    try:
        verifier.verify(leaf, intermediates)
    except VerificationError as exc:
        return ClientCertificate(name, f"client certificate does not verify against the station CA: {exc}")
    return ClientCertificate(name)


def check_validity(
    leaf: x509.Certificate, station_cas: Sequence[x509.Certificate], now: dt.datetime
) -> ClientCertificate:
    """The leaf's CN and, if the leaf or the station CA that issued it is not valid at `now`, why not."""
    name = common_name(leaf)
    issuers = [ca for ca in station_cas if ca.subject == leaf.issuer]
    for certificate, what in [(leaf, "client certificate"), *((ca, "its station CA") for ca in issuers)]:
        if now < certificate.not_valid_before_utc:
            return ClientCertificate(name, f"{what} is not valid before {certificate.not_valid_before_utc.isoformat()}")
        if now > certificate.not_valid_after_utc:
            return ClientCertificate(name, f"{what} expired at {certificate.not_valid_after_utc.isoformat()}")
    return ClientCertificate(name)
