"""The DataTransfer log read model (docs/adr/0034): every DataTransfer of a station, both directions, with its answer.

- station → CSMS: DataTransferReceived (the request, the registry's answer, what the vendor handler made of it); key
  (recorded_at = the edge's receive time, transfer_id = the OCPP message id).
- CSMS → station: the command events (sent, answered, failed) of any command whose CALLs include a DataTransfer
  (`data-transfer`, `raw`); key (recorded_at = when the command was sent, transfer_id = "<command id>/<call index>"),
  so its answer overwrites its "sent" row (USING TIMESTAMP = the event's time: the later state wins).

Pure; no I/O.
"""

from __future__ import annotations

import json
from typing import Any

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.commands.params import snake
from csms_kernel.infra.envelopes import to_datetime, version_from_proto
from csms_kernel.projecting.writes import Write, micros

TABLES = ("data_transfers",)

STATION_TO_CSMS = "station_to_csms"
CSMS_TO_STATION = "csms_to_station"

INSERT = (
    "INSERT INTO {ks}.data_transfers (station_id, recorded_at, transfer_id, direction, ocpp_version, vendor_id,"
    " message_id, data, status, response_data, reason_code, details, error, command_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?"
)

COMMAND_EVENTS = ("command_sent", "command_answered", "command_failed")


def from_event(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    """DataTransferReceived → its row."""
    received = event.data_transfer_received
    at = to_datetime(event.occurred_at)
    values = (
        event.station_id,
        at,
        event.message_id,
        STATION_TO_CSMS,
        version_from_proto(event.ocpp_version).subprotocol,
        received.vendor_id,
        received.vendor_message_id or None,
        received.data_json or None,
        received.status,
        received.response_data_json or None,
        received.reason_code or None,
        received.details_json or None,
        received.error or None,
        None,
    )
    return [Write(INSERT, (*values, micros(at)))]


def from_command_event(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    """A command event (sent, answered, failed) → the rows of the command's DataTransfer calls, as they stand."""
    which = event.WhichOneof("event")
    if which not in COMMAND_EVENTS:
        return []
    command: device_model_pb2.Command = getattr(event, which).command
    if not command.HasField("sent_at"):
        return []
    calls = json.loads(command.request_json or "[]")
    if not any(call.get("action") == "DataTransfer" for call in calls):
        return []
    responses = json.loads(command.response_json or "[]")
    sent_at = to_datetime(command.sent_at)
    version = version_from_proto(command.ocpp_version).subprotocol
    out = []
    for index, call in enumerate(calls):
        if call.get("action") != "DataTransfer":
            continue
        payload = call.get("payload") or {}
        answer = _answer(responses[index] if index < len(responses) else None, which, command.failure)
        values = (
            command.station_id,
            sent_at,
            f"{command.command_id}/{index}",
            CSMS_TO_STATION,
            version,
            payload.get("vendorId", ""),
            payload.get("messageId"),
            _json(payload.get("data")),
            *answer,
            None,
            command.command_id,
        )
        out.append(Write(INSERT, (*values, micros(to_datetime(event.occurred_at)))))
    return out


def _answer(response: Any, which: str, failure: str) -> tuple[str, str | None, str | None, str | None]:
    """(status, response data, reason code, error) of the call's answer: its CALLRESULT, its CALLERROR, or none yet."""
    if isinstance(response, list) and response and response[0] == 3:
        result = response[2] if len(response) > 2 and isinstance(response[2], dict) else {}
        reason = (result.get("statusInfo") or {}).get("reasonCode")
        return snake(str(result.get("status", ""))), _json(result.get("data")), reason, None
    if isinstance(response, list) and response and response[0] == 4:
        return "call_error", None, None, f"{response[2]}: {response[3]}" if len(response) > 3 else str(response)
    if which == "command_failed":
        return "failed", None, None, failure or None
    return "sent", None, None, None


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))
