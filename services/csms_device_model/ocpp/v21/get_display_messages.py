"""OCPP 2.1 GetDisplayMessages (CSMS → station), for `get-display-messages`: the messages come in
NotifyDisplayMessages with the command's requestId. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.display_messages import GetDisplayMessages
from csms_device_model.ocpp.display_messages import PRIORITIES, STATES


def request(command: GetDisplayMessages) -> call.GetDisplayMessages:
    return call.GetDisplayMessages(
        request_id=command.request_id,
        id=list(command.ids) or None,
        priority=PRIORITIES[command.priority] if command.priority is not None else None,
        state=STATES[command.state] if command.state is not None else None,
    )


def outcome(result: call_result.GetDisplayMessages, command: GetDisplayMessages) -> dict[str, Any]:
    return {**results.status(result.status, result.status_info), "request_id": command.request_id}
