"""OCPP 2.1 TriggerMessage (CSMS → station), for `trigger-message`: the messages of the 2.1 schema, CustomTrigger
with its `customTrigger` name. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result
from ocpp.v21.enums import MessageTriggerEnumType

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.params import snake
from csms_device_model.domain.commands.trigger_message import TriggerMessage
from csms_device_model.ocpp.v201 import change_availability
from csms_device_model.ocpp.v201 import trigger_message as v201

MESSAGES = {snake(m.value): m.value for m in MessageTriggerEnumType}


def request(command: TriggerMessage) -> call.TriggerMessage:
    return call.TriggerMessage(
        requested_message=v201.requested_message(command, MESSAGES, "2.1"),
        evse=change_availability.evse(command.evse_id, command.connector_id),
        custom_trigger=command.custom_trigger,
    )


def outcome(result: call_result.TriggerMessage) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
