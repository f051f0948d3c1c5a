"""OCPP 2.1 CertificateSigned (CSMS → station), for `certificate-signed`: as 2.0.1 (`v201/certificate_signed.py`)
plus V2G20Certificate and the requestId of the station's SignCertificate. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.certificate_signed import CHAIN_FIELD, CertificateSigned, CertificateType
from csms_device_model.domain.commands.certificates import check_length
from csms_device_model.ocpp.v201 import certificate_signed as v201

MAX_CHAIN_LENGTH = 10000

TYPES = {**v201.TYPES, CertificateType.V2G20: "V2G20Certificate"}


def request(command: CertificateSigned) -> call.CertificateSigned:
    check_length(command.certificate_chain_pem, CHAIN_FIELD, MAX_CHAIN_LENGTH, "2.1")
    return call.CertificateSigned(
        certificate_chain=command.certificate_chain_pem,
        certificate_type=v201.certificate_type(command, TYPES, "2.1"),
        request_id=command.request_id,
    )


def outcome(result: call_result.CertificateSigned) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
