"""OCPP 1.6 CertificateSigned (CSMS → station; security whitepaper), for `certificate-signed`: the charge point
certificate chain only (1.6 has no V2G certificates and no certificate type). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.certificate_signed import CHAIN_FIELD, CertificateSigned, CertificateType
from csms_device_model.domain.commands.certificates import check_length
from csms_device_model.domain.commands.params import NotExpressible

MAX_CHAIN_LENGTH = 10000


def request(command: CertificateSigned) -> call.CertificateSigned:
    if command.certificate_type is not CertificateType.CHARGING_STATION:
        raise NotExpressible(
            f"OCPP 1.6 signs charge point certificates only, not {command.certificate_type.value} certificates"
        )
    if command.request_id is not None:
        raise NotExpressible("OCPP 1.6 CertificateSigned has no request id: leave request_id out")
    check_length(command.certificate_chain_pem, CHAIN_FIELD, MAX_CHAIN_LENGTH, "1.6")
    return call.CertificateSigned(certificate_chain=command.certificate_chain_pem)


def outcome(result: call_result.CertificateSigned) -> dict[str, Any]:
    return results.status(result.status)
