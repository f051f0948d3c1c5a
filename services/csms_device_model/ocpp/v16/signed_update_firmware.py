"""OCPP 1.6 SignedUpdateFirmware (CSMS → station; security whitepaper), for `update-firmware` of a signed image:
the signing certificate and the signature are both required. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.params import InvalidParams
from csms_device_model.domain.commands.update_firmware import UpdateFirmware


def request(command: UpdateFirmware) -> call.SignedUpdateFirmware:
    if command.signing_certificate is None or command.signature is None:
        missing = "signature" if command.signature is None else "signing_certificate"
        raise InvalidParams(f"params.{missing}", "is required for a signed image on OCPP 1.6 (SignedUpdateFirmware)")
    assert command.request_id is not None
    firmware = {
        "location": command.location,
        "retrieve_date_time": command.retrieve_date_time,
        "install_date_time": command.install_date_time,
        "signing_certificate": command.signing_certificate,
        "signature": command.signature,
    }
    return call.SignedUpdateFirmware(
        request_id=command.request_id,
        firmware={k: v for k, v in firmware.items() if v is not None},
        retries=command.retry.retries,
        retry_interval=command.retry.retry_interval,
    )


def outcome(result: call_result.SignedUpdateFirmware) -> dict[str, Any]:
    return results.status(result.status)
