"""The display messages read model (docs/adr/0034): what each station shows, reconciled from what the CSMS learns.

- NotifyDisplayMessages (DisplayMessagesReported): each reported message is written, at the report's time.
- set-display-message answered accepted (CommandAnswered): the message is written (replacing one of the same id),
  at the answer's time.
- clear-display-message answered accepted or unknown: the message is deleted, at the answer's time.
- get-display-messages without filters answered accepted or unknown: the station reports everything it shows (or
  shows nothing), so the station's partition is deleted at the time the request was sent; the reports that follow
  are written later and survive, messages the station no longer has are gone.

Rows carry USING TIMESTAMP = those times, so replays and any delivery order converge. Pure; no I/O.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.commands import display_messages
from csms_device_model.domain.commands.display_messages import SetDisplayMessage
from csms_device_model.domain.commands.params import CommandRefused
from csms_kernel.infra.envelopes import timestamp, to_datetime
from csms_kernel.projecting.writes import Write, micros

TABLES = ("display_messages",)

UPSERT = (
    "INSERT INTO {ks}.display_messages (station_id, message_id, priority, state, start_at, end_at, transaction_id,"
    " format, language, content, display_name, display_instance, display_evse_id, display_connector_id, source,"
    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?"
)
REMOVE = "DELETE FROM {ks}.display_messages USING TIMESTAMP ? WHERE station_id = ? AND message_id = ?"
REMOVE_ALL = "DELETE FROM {ks}.display_messages USING TIMESTAMP ? WHERE station_id = ?"

FORGETTING = ("accepted", "unknown")
"""Answers after which the station no longer has the message (clear) or has only what it reports (get)."""


def upsert(station_id: str, message: device_model_pb2.DisplayMessage) -> Write:
    def at(name: Literal["start_at", "end_at", "updated_at"]) -> datetime | None:
        return to_datetime(getattr(message, name)) if message.HasField(name) else None

    values = (
        station_id,
        message.id,
        message.priority,
        message.state or None,
        at("start_at"),
        at("end_at"),
        message.transaction_id or None,
        message.format,
        message.language or None,
        message.content,
        message.display_name or None,
        message.display_instance or None,
        message.display_evse_id if message.HasField("display_evse_id") else None,
        message.display_connector_id if message.HasField("display_connector_id") else None,
        message.source,
        at("updated_at"),
    )
    return Write(UPSERT, (*values, micros(to_datetime(message.updated_at))))


def from_event(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    """DisplayMessagesReported → one write per reported message."""
    report = event.display_messages_reported
    out = []
    for reported in report.messages:
        message = device_model_pb2.DisplayMessage()
        message.CopyFrom(reported)
        message.source = f"report {report.request_id}"
        message.updated_at.CopyFrom(event.occurred_at)
        out.append(upsert(event.station_id, message))
    return out


def from_command_answered(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    """CommandAnswered of a display message command → the writes its answer implies (none for a CALLERROR)."""
    command = event.command_answered.command
    if command.command not in ("set-display-message", "clear-display-message", "get-display-messages"):
        return []
    if not command.result_json:
        return []
    status = json.loads(command.result_json).get("status")
    try:
        params = json.loads(command.params_json or "{}")
        if command.command == "set-display-message" and status == "accepted":
            message = as_message(display_messages.parse_set(params))
            message.source = f"command {command.command_id}"
            message.updated_at.CopyFrom(command.finished_at)
            return [upsert(command.station_id, message)]
        if command.command == "clear-display-message" and status in FORGETTING:
            cleared = display_messages.parse_clear(params)
            return [Write(REMOVE, (micros(to_datetime(command.finished_at)), command.station_id, cleared.id))]
        if command.command == "get-display-messages" and status in FORGETTING:
            if display_messages.parse_get(params).filtered:
                return []
            return [Write(REMOVE_ALL, (micros(to_datetime(command.sent_at)), command.station_id))]
    except (CommandRefused, ValueError):
        return []  # params the command was sent with always parse; a record that does not is not the station's state
    return []


def as_message(command: SetDisplayMessage) -> device_model_pb2.DisplayMessage:
    """The neutral DisplayMessage of a set-display-message command."""
    message = device_model_pb2.DisplayMessage(
        id=command.id,
        priority=command.priority.value,
        state=command.state.value if command.state is not None else "",
        transaction_id=command.transaction_id or "",
        format=command.format.value,
        language=command.language or "",
        content=command.content,
    )
    if command.start_at is not None:
        message.start_at.CopyFrom(timestamp(command.start_at))
    if command.end_at is not None:
        message.end_at.CopyFrom(timestamp(command.end_at))
    if command.display is not None:
        message.display_name = command.display.name
        message.display_instance = command.display.instance or ""
        if command.display.evse_id is not None:
            message.display_evse_id = command.display.evse_id
        if command.display.connector_id is not None:
            message.display_connector_id = command.display.connector_id
    return message
