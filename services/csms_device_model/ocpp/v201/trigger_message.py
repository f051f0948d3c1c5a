"""OCPP 2.0.1 TriggerMessage (CSMS → station), for `trigger-message`: the messages of the 2.0.1 schema, on an
EVSE or connector or the whole station. No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ocpp.v201 import call, call_result
from ocpp.v201.enums import MessageTriggerEnumType

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.params import NotExpressible, snake
from csms_device_model.domain.commands.trigger_message import TriggerMessage
from csms_device_model.ocpp.v201.change_availability import evse

MESSAGES = {snake(m.value): m.value for m in MessageTriggerEnumType}


def request(command: TriggerMessage) -> call.TriggerMessage:
    return call.TriggerMessage(
        requested_message=requested_message(command, MESSAGES, "2.0.1"),
        evse=evse(command.evse_id, command.connector_id),
    )


def outcome(result: call_result.TriggerMessage) -> dict[str, Any]:
    return results.status(result.status, result.status_info)


def requested_message(command: TriggerMessage, messages: dict[str, str], version: str) -> str:
    """The version's name of the message to trigger (2.0.1 and 2.1 have their own `MESSAGES`)."""
    if command.message not in messages:
        raise NotExpressible(f"OCPP {version} cannot trigger {command.message} (it can trigger: {_names(messages)})")
    return messages[command.message]


def _names(messages: Iterable[str]) -> str:
    return ", ".join(messages)
