"""OCPP 2.0.1 DeleteCertificate (CSMS → station), for `delete-certificate`: the certificate's hash data. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.delete_certificate import DeleteCertificate


def request(command: DeleteCertificate) -> call.DeleteCertificate:
    return call.DeleteCertificate(certificate_hash_data=command.hash_data.ocpp())


def outcome(result: call_result.DeleteCertificate) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
