"""OCPP 2.0.1 GetInstalledCertificateIds (CSMS → station), for `get-installed-certificate-ids`: the types asked
(none: all) in one message; each certificate found with its type and the hash data of its chain's children.
No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.certificates import (
    CertificateUse,
    neutral_use,
    read_hash_data,
    version_name,
)
from csms_device_model.domain.commands.get_installed_certificate_ids import GetInstalledCertificateIds
from csms_device_model.ocpp.v201.install_certificate import TYPES as INSTALLED

TYPES = {**INSTALLED, CertificateUse.V2G_CERTIFICATE_CHAIN: "V2GCertificateChain"}


def request(command: GetInstalledCertificateIds) -> call.GetInstalledCertificateIds:
    return call.GetInstalledCertificateIds(certificate_type=certificate_types(command, TYPES, "2.0.1"))


def outcome(result: call_result.GetInstalledCertificateIds) -> dict[str, Any]:
    return installed(result.status, result.status_info, result.certificate_hash_data_chain, TYPES)


def certificate_types(
    command: GetInstalledCertificateIds, types: dict[CertificateUse, str], version: str
) -> list[str] | None:
    """The version's names of the types asked (2.0.1 and 2.1 have their own `TYPES`); None asks for all."""
    return [version_name(use, types, version) for use in command.certificate_types] or None


def installed(
    status: Any,
    status_info: dict[str, Any] | None,
    chains: list[dict[str, Any]] | None,
    types: dict[CertificateUse, str],
) -> dict[str, Any]:
    """The neutral result of a 2.x answer (2.0.1 and 2.1 have their own `TYPES`)."""
    certificates = []
    for chain in chains or []:
        found: dict[str, Any] = {"certificate_type": neutral_use(chain["certificate_type"], types)}
        found.update(read_hash_data(chain["certificate_hash_data"]))
        children = chain.get("child_certificate_hash_data")
        if children:
            found["child_certificates"] = [read_hash_data(child) for child in children]
        certificates.append(found)
    return {**results.status(status, status_info), "certificates": certificates}
