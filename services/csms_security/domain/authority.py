"""The certificate authorities that sign station certificates, and what an issued certificate records. Pure: the
keys are given (adapters/station_ca.py reads them); signing uses `csms_kernel.pki.certificates.issue`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from csms.security.v1 import security_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.pki import certificates as pki
from csms_security.domain.csr import CHARGING_STATION


@dataclass(frozen=True)
class Authority:
    """A CA certificate with its key; `chain` is what follows an issued leaf in CertificateSigned."""

    certificate: x509.Certificate
    key: pki.PrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    def sign(self, csr: x509.CertificateSigningRequest, validity: timedelta, now: datetime) -> x509.Certificate:
        """A client certificate for the CSR's key and subject (checked by `check_csr`)."""
        return pki.issue(
            self.certificate,
            self.key,
            csr.subject,
            csr.public_key(),
            days=validity / timedelta(days=1),  # type: ignore[arg-type]
            client=True,
            now=now,
        )


Authorities = Mapping[str, Authority]
"""OCPP certificate type → the CA that signs it (ChargingStationCertificate, V2GCertificate)."""


@dataclass(frozen=True)
class Issued:
    """A certificate issued for one signing request."""

    request_id: str
    station_id: str
    certificate_type: str
    serial_number: str
    not_before: datetime
    not_after: datetime
    fingerprint_sha256: str
    chain_pem: str
    issued_at: datetime

    def message(self) -> security_pb2.IssuedCertificate:
        issued = security_pb2.IssuedCertificate(
            station_id=self.station_id,
            serial_number=self.serial_number,
            certificate_type=self.certificate_type,
            fingerprint_sha256=self.fingerprint_sha256,
            certificate_chain_pem=self.chain_pem,
        )
        issued.not_before.CopyFrom(timestamp(self.not_before))
        issued.not_after.CopyFrom(timestamp(self.not_after))
        issued.issued_at.CopyFrom(timestamp(self.issued_at))
        return issued

    @property
    def renewable(self) -> bool:
        """Whether the renewal sweep looks after it (the station's own TLS client certificate)."""
        return self.certificate_type == CHARGING_STATION


def issued(
    request_id: str, station_id: str, certificate_type: str, leaf: x509.Certificate, authority: Authority, now: datetime
) -> Issued:
    der = leaf.public_bytes(serialization.Encoding.DER)
    return Issued(
        request_id=request_id,
        station_id=station_id,
        certificate_type=certificate_type,
        serial_number=f"{leaf.serial_number:x}",
        not_before=leaf.not_valid_before_utc,
        not_after=leaf.not_valid_after_utc,
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        chain_pem=pki.certificate_pem(leaf, authority.certificate, *authority.chain).decode("ascii"),
        issued_at=now,
    )
