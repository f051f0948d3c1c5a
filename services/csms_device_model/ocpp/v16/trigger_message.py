"""OCPP 1.6 TriggerMessage (CSMS → station), for `trigger-message`: the six messages of the 1.6 schema, on a
connector (EVSE N = connector N) or the whole station. The security whitepaper's other messages go as
ExtendedTriggerMessage (`extended_trigger_message.py`; `ocpp/commands.py` picks). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.params import NotExpressible, snake
from csms_device_model.domain.commands.trigger_message import TriggerMessage
from csms_device_model.ocpp.v16 import extended_trigger_message
from csms_device_model.ocpp.v16.connectors import connector_of

MESSAGES = {
    snake(m): m
    for m in (
        "BootNotification",
        "DiagnosticsStatusNotification",
        "FirmwareStatusNotification",
        "Heartbeat",
        "MeterValues",
        "StatusNotification",
    )
}


def request(command: TriggerMessage) -> call.TriggerMessage:
    if command.message not in MESSAGES:
        known = ", ".join([*MESSAGES, *extended_trigger_message.MESSAGES])
        raise NotExpressible(f"OCPP 1.6 cannot trigger {command.message} (it can trigger: {known})")
    connector = connector_of(command.evse_id, command.connector_id) if command.evse_id is not None else None
    return call.TriggerMessage(requested_message=MESSAGES[command.message], connector_id=connector)


def outcome(result: call_result.TriggerMessage) -> dict[str, Any]:
    return results.status(result.status)
