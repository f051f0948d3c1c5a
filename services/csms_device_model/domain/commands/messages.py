"""A command record as the contract's messages: `Command` (GetCommand, ListCommands, SendCommand) and the event
of each state it reached on csms.device_model.events.v1 (the record as it was then). Pure; no I/O."""

from __future__ import annotations

import json

from csms.device_model.v1 import device_model_pb2
from csms.edge.v1 import edge_pb2
from csms_device_model.domain.commands.record import CommandRecord, CommandState
from csms_kernel.infra.envelopes import timestamp, version_to_proto

STATES: dict[CommandState, device_model_pb2.CommandState.ValueType] = {
    CommandState.QUEUED: device_model_pb2.COMMAND_STATE_QUEUED,
    CommandState.SENT: device_model_pb2.COMMAND_STATE_SENT,
    CommandState.ANSWERED: device_model_pb2.COMMAND_STATE_ANSWERED,
    CommandState.FAILED: device_model_pb2.COMMAND_STATE_FAILED,
    CommandState.EXPIRED: device_model_pb2.COMMAND_STATE_EXPIRED,
}

EVENTS: dict[CommandState, str] = {
    CommandState.QUEUED: "command_queued",
    CommandState.SENT: "command_sent",
    CommandState.ANSWERED: "command_answered",
    CommandState.FAILED: "command_failed",
    CommandState.EXPIRED: "command_expired",
}
"""The DeviceModelEvent field of each state's event."""


def command_message(record: CommandRecord) -> device_model_pb2.Command:
    message = device_model_pb2.Command(
        command_id=record.command_id,
        station_id=record.station_id,
        command=record.command,
        params_json=json.dumps(record.params),
        state=STATES[record.state],
        ocpp_version=version_to_proto(record.ocpp_version),
        request_json=json.dumps([call.as_json() for call in record.calls]),
        result_json=json.dumps(record.result) if record.result is not None else "",
        response_json=json.dumps(list(record.responses)) if record.responses else "",
        failure=record.failure,
        timeout_ms=round(record.timeout_s * 1000),
    )
    if record.call_error is not None:
        error = record.call_error
        message.call_error.CopyFrom(
            edge_pb2.CallError(code=error.code, description=error.description, details_json=error.details_json)
        )
    for name in ("created_at", "sent_at", "finished_at", "expires_at"):
        at = getattr(record, name)
        if at is not None:
            getattr(message, name).CopyFrom(timestamp(at))
    return message


def event(record: CommandRecord, state: CommandState) -> device_model_pb2.DeviceModelEvent:
    """The event of `state` (one of the record's history): the command as it was when it reached it."""
    then = record.at(state)
    message = device_model_pb2.DeviceModelEvent(
        station_id=record.station_id,
        ocpp_version=version_to_proto(then.ocpp_version),
        occurred_at=timestamp(record.occurred_at(state)),
    )
    getattr(message, EVENTS[state]).command.CopyFrom(command_message(then))
    return message
