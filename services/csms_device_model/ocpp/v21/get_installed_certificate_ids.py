"""OCPP 2.1 GetInstalledCertificateIds (CSMS → station), for `get-installed-certificate-ids`: as 2.0.1
(`v201/get_installed_certificate_ids.py`) plus OEMRootCertificate. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands.get_installed_certificate_ids import GetInstalledCertificateIds
from csms_device_model.ocpp.v21.install_certificate import TYPES as INSTALLED
from csms_device_model.ocpp.v201 import get_installed_certificate_ids as v201

TYPES = {**INSTALLED, **v201.TYPES}


def request(command: GetInstalledCertificateIds) -> call.GetInstalledCertificateIds:
    return call.GetInstalledCertificateIds(certificate_type=v201.certificate_types(command, TYPES, "2.1"))


def outcome(result: call_result.GetInstalledCertificateIds) -> dict[str, Any]:
    return v201.installed(result.status, result.status_info, result.certificate_hash_data_chain, TYPES)
