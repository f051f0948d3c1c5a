"""OCPP 2.0.1 CertificateSigned (CSMS → station), for `certificate-signed`: the chain and its type
(ChargingStationCertificate or V2GCertificate). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.certificate_signed import CHAIN_FIELD, CertificateSigned, CertificateType
from csms_device_model.domain.commands.certificates import check_length
from csms_device_model.domain.commands.params import NotExpressible

MAX_CHAIN_LENGTH = 10000

TYPES = {
    CertificateType.CHARGING_STATION: "ChargingStationCertificate",
    CertificateType.V2G: "V2GCertificate",
}


def request(command: CertificateSigned) -> call.CertificateSigned:
    if command.request_id is not None:
        raise NotExpressible("OCPP 2.0.1 CertificateSigned has no request id (2.1 has): leave request_id out")
    check_length(command.certificate_chain_pem, CHAIN_FIELD, MAX_CHAIN_LENGTH, "2.0.1")
    return call.CertificateSigned(
        certificate_chain=command.certificate_chain_pem,
        certificate_type=certificate_type(command, TYPES, "2.0.1"),
    )


def outcome(result: call_result.CertificateSigned) -> dict[str, Any]:
    return results.status(result.status, result.status_info)


def certificate_type(command: CertificateSigned, types: dict[CertificateType, str], version: str) -> str:
    """The version's certificateType (2.0.1 and 2.1 have their own `TYPES`)."""
    if command.certificate_type not in types:
        names = ", ".join(t.value for t in types)
        raise NotExpressible(
            f"OCPP {version} has no {command.certificate_type.value} certificate type (it has: {names})"
        )
    return types[command.certificate_type]
