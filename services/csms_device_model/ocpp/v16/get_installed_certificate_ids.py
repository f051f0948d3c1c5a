"""OCPP 1.6 GetInstalledCertificateIds (CSMS → station; security whitepaper), for
`get-installed-certificate-ids`: 1.6 asks for one certificate type per message, so the command sends one per
type asked (both types when none is), and the answers read as one list. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.certificates import CertificateUse, read_hash_data, version_name
from csms_device_model.domain.commands.get_installed_certificate_ids import GetInstalledCertificateIds
from csms_device_model.ocpp.v16.install_certificate import TYPES


def uses(command: GetInstalledCertificateIds) -> tuple[CertificateUse, ...]:
    """The types to ask for, one message each; NotExpressible for a type 1.6 lacks."""
    for use in command.certificate_types:
        version_name(use, TYPES, "1.6")
    return command.certificate_types or tuple(TYPES)


def request(use: CertificateUse) -> call.GetInstalledCertificateIds:
    return call.GetInstalledCertificateIds(certificate_type=TYPES[use])


def outcome(result: call_result.GetInstalledCertificateIds, use: CertificateUse) -> list[dict[str, Any]]:
    """The certificates of one answer."""
    return [{"certificate_type": use.value, **read_hash_data(found)} for found in result.certificate_hash_data or []]


def combined(found: list[list[dict[str, Any]]]) -> dict[str, Any]:
    certificates = [certificate for listed in found for certificate in listed]
    return {**results.status("Accepted" if certificates else "NotFound"), "certificates": certificates}
