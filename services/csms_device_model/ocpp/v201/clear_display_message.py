"""OCPP 2.0.1 ClearDisplayMessage (CSMS → station), for `clear-display-message`. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.display_messages import ClearDisplayMessage


def request(command: ClearDisplayMessage) -> call.ClearDisplayMessage:
    return call.ClearDisplayMessage(id=command.id)


def outcome(result: call_result.ClearDisplayMessage) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
