"""OCPP 1.6 UnlockConnector (CSMS → station), for `unlock-connector`: EVSE N's connector is 1.6 connector N.
No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.unlock_connector import UnlockConnector
from csms_device_model.ocpp.v16.connectors import connector_of


def request(command: UnlockConnector) -> call.UnlockConnector:
    return call.UnlockConnector(connector_id=connector_of(command.evse_id, command.connector_id))


def outcome(result: call_result.UnlockConnector) -> dict[str, Any]:
    return results.status(result.status)
