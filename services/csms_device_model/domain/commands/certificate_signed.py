"""`certificate-signed`: give the station the certificate chain the CSMS signed for its CSR (SignCertificate).
Params: `certificate_chain_pem` (the chain, leaf first, PEM), `certificate_type` (charging_station, default;
v2g; v2g20 on 2.1) and `request_id` (2.1: the requestId of the station's SignCertificate). The chain must parse
as PEM certificates; each version's length limit: ocpp/<version>/certificate_signed.py."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.certificates import pem_certificates
from csms_device_model.domain.commands.params import Params


class CertificateType(enum.Enum):
    CHARGING_STATION = "charging_station"  # the station's TLS client certificate (security profile 3)
    V2G = "v2g"  # ISO 15118-2 SECC certificate
    V2G20 = "v2g20"  # ISO 15118-20 SECC certificate (2.1)


@dataclass(frozen=True)
class CertificateSigned:
    certificate_chain_pem: str
    certificate_type: CertificateType = CertificateType.CHARGING_STATION
    request_id: int | None = None


CHAIN_FIELD = "params.certificate_chain_pem"


def parse(raw: Any) -> CertificateSigned:
    params = Params(raw, ("certificate_chain_pem", "certificate_type", "request_id"))
    certificate_type = params.choice("certificate_type", CertificateType) or CertificateType.CHARGING_STATION
    chain = params.text("certificate_chain_pem", required=True)
    assert chain is not None
    pem_certificates(chain, CHAIN_FIELD)
    return CertificateSigned(chain, certificate_type, params.integer("request_id", minimum=0))
