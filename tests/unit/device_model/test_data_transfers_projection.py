"""The DataTransfer log read model: a station's DataTransfer with its answer, and each DataTransfer CALL of a command
(sent, then answered or failed, on the same row: the later event wins by its time)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from csms.device_model.v1 import device_model_pb2 as dm
from csms.envelope.v1 import envelope_pb2
from csms_device_model.projections import data_transfers, device
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import Write, micros

AT = datetime(2026, 12, 6, 10, tzinfo=UTC)
SENT = datetime(2026, 12, 6, 11, tzinfo=UTC)
LATER = datetime(2026, 12, 6, 11, 0, 2, tzinfo=UTC)


def test_a_station_data_transfer_and_its_answer() -> None:
    event = dm.DeviceModelEvent(
        station_id="CS-1",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        message_id="m-1",
        occurred_at=timestamp(AT),
        data_transfer_received=dm.DataTransferReceived(
            vendor_id="ACME", vendor_message_id="ping", data_json='"x"', status="unknown_vendor_id"
        ),
    )
    values = ("CS-1", AT, "m-1", "station_to_csms", "ocpp1.6", "ACME", "ping", '"x"', "unknown_vendor_id")
    assert device.writes([event], None) == [
        Write(data_transfers.INSERT, (*values, None, None, None, None, None, micros(AT)))
    ]


def command_event(which: str, responses: list[Any] | None = None, **fields: Any) -> dm.DeviceModelEvent:
    calls = [{"action": "DataTransfer", "payload": {"vendorId": "ACME", "messageId": "m", "data": {"n": 1}}}]
    command = dm.Command(
        command_id="cmd-1",
        station_id="CS-1",
        command="data-transfer",
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
        request_json=json.dumps(calls),
        response_json=json.dumps(responses) if responses else "",
        sent_at=timestamp(SENT),
        **fields,
    )
    event = dm.DeviceModelEvent(station_id="CS-1", occurred_at=timestamp(LATER if responses or fields else SENT))
    getattr(event, which).command.CopyFrom(command)
    return event


def outbound(status: str, response: str | None, reason: str | None, error: str | None, at: datetime) -> Write:
    values = ("CS-1", SENT, "cmd-1/0", "csms_to_station", "ocpp2.0.1", "ACME", "m", '{"n":1}')
    return Write(data_transfers.INSERT, (*values, status, response, reason, error, None, "cmd-1", micros(at)))


def test_a_command_data_transfer_sent_then_answered() -> None:
    answer = [3, "x-1", {"status": "Rejected", "statusInfo": {"reasonCode": "Busy"}, "data": [1]}]
    assert device.writes([command_event("command_sent")], None) == [outbound("sent", None, None, None, SENT)]
    assert device.writes([command_event("command_answered", [answer])], None) == [
        outbound("rejected", "[1]", "Busy", None, LATER)
    ]


def test_a_callerror_and_a_failure() -> None:
    error = [4, "x-1", "NotImplemented", "no vendor extensions", {}]
    assert device.writes([command_event("command_answered", [error])], None) == [
        outbound("call_error", None, None, "NotImplemented: no vendor extensions", LATER)
    ]
    assert device.writes([command_event("command_failed", failure="timeout: 30 s")], None) == [
        outbound("failed", None, None, "timeout: 30 s", LATER)
    ]


def test_commands_without_a_data_transfer_or_never_sent_write_nothing() -> None:
    reset = dm.DeviceModelEvent(
        command_answered=dm.CommandAnswered(
            command=dm.Command(request_json='[{"action": "Reset", "payload": {}}]', sent_at=timestamp(SENT))
        )
    )
    queued = dm.DeviceModelEvent(
        command_failed=dm.CommandFailed(command=dm.Command(request_json='[{"action": "DataTransfer", "payload": {}}]'))
    )
    assert device.writes([reset, queued], None) == []
