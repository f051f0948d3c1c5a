"""OCPP 2.1 UnlockConnector (CSMS → station), for `unlock-connector`. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.unlock_connector import UnlockConnector


def request(command: UnlockConnector) -> call.UnlockConnector:
    return call.UnlockConnector(evse_id=command.evse_id, connector_id=command.connector_id)


def outcome(result: call_result.UnlockConnector) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
