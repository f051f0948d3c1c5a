"""OCPP 1.6 ExtendedTriggerMessage (CSMS → station; security whitepaper), for `trigger-message` of the messages
plain 1.6 TriggerMessage cannot ask for: LogStatusNotification and SignChargePointCertificate (a new CSR for the
station's certificate; neutral name `sign_charging_station_certificate`, as 2.x calls it). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.trigger_message import TriggerMessage
from csms_device_model.ocpp.v16.connectors import connector_of

MESSAGES = {
    "log_status_notification": "LogStatusNotification",
    "sign_charging_station_certificate": "SignChargePointCertificate",
}


def request(command: TriggerMessage) -> call.ExtendedTriggerMessage:
    connector = connector_of(command.evse_id, command.connector_id) if command.evse_id is not None else None
    return call.ExtendedTriggerMessage(requested_message=MESSAGES[command.message], connector_id=connector)


def outcome(result: call_result.ExtendedTriggerMessage) -> dict[str, Any]:
    return results.status(result.status)
