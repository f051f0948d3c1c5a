"""OCPP 2.1 InstallCertificate (CSMS → station), for `install-certificate`: as 2.0.1 plus OEMRootCertificate,
at most 10000 characters. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.certificates import CertificateUse, check_length, version_name
from csms_device_model.domain.commands.install_certificate import PEM_FIELD, InstallCertificate
from csms_device_model.ocpp.v201 import install_certificate as v201

MAX_CERTIFICATE_LENGTH = 10000

TYPES = {**v201.TYPES, CertificateUse.OEM_ROOT: "OEMRootCertificate"}


def request(command: InstallCertificate) -> call.InstallCertificate:
    certificate_type = version_name(command.certificate_type, TYPES, "2.1")
    check_length(command.certificate_pem, PEM_FIELD, MAX_CERTIFICATE_LENGTH, "2.1")
    return call.InstallCertificate(certificate_type=certificate_type, certificate=command.certificate_pem)


def outcome(result: call_result.InstallCertificate) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
