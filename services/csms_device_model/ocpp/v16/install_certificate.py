"""OCPP 1.6 InstallCertificate (CSMS → station; security whitepaper), for `install-certificate`: a Central
System or manufacturer root, at most 5500 characters. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.certificates import CertificateUse, check_length, version_name
from csms_device_model.domain.commands.install_certificate import PEM_FIELD, InstallCertificate

MAX_CERTIFICATE_LENGTH = 5500

TYPES = {
    CertificateUse.CSMS_ROOT: "CentralSystemRootCertificate",
    CertificateUse.MANUFACTURER_ROOT: "ManufacturerRootCertificate",
}


def request(command: InstallCertificate) -> call.InstallCertificate:
    certificate_type = version_name(command.certificate_type, TYPES, "1.6")
    check_length(command.certificate_pem, PEM_FIELD, MAX_CERTIFICATE_LENGTH, "1.6")
    return call.InstallCertificate(certificate_type=certificate_type, certificate=command.certificate_pem)


def outcome(result: call_result.InstallCertificate) -> dict[str, Any]:
    return results.status(result.status)
