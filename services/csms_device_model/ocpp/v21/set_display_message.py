"""OCPP 2.1 SetDisplayMessage (CSMS → station), for `set-display-message`. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.display_messages import MessageFormat, MessageState, SetDisplayMessage
from csms_device_model.ocpp.display_messages import message_info

STATES = tuple(MessageState)
FORMATS = tuple(MessageFormat)


def request(command: SetDisplayMessage) -> call.SetDisplayMessage:
    return call.SetDisplayMessage(message=message_info(command, "2.1", STATES, FORMATS))


def outcome(result: call_result.SetDisplayMessage) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
