"""Records of the live events' source topics as their producers write them: device-model and transaction
events, the edge's CONNECTED/DISCONNECTED envelopes and ordinary frames (value bytes and Kafka headers)."""

from __future__ import annotations

from datetime import UTC, datetime

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.infra.kafka import Headers, envelope_headers
from kit.builders.envelopes import frame_envelope

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def booted(station_id: str, message_id: str = "m1", at: datetime = T0) -> bytes:
    return device_model_pb2.DeviceModelEvent(
        station_id=station_id,
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
        message_id=message_id,
        occurred_at=timestamp(at),
        station_booted=device_model_pb2.StationBooted(
            vendor="ACME",
            model="Fast-1",
            serial_number="SN-1",
            firmware_version="1.2",
            reason="PowerUp",
            registration_status="Accepted",
        ),
    ).SerializeToString()


def status_changed(
    station_id: str, message_id: str = "m1", status: str = "Occupied", connector_id: int = 1, at: datetime = T0
) -> bytes:
    return device_model_pb2.DeviceModelEvent(
        station_id=station_id,
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        message_id=message_id,
        occurred_at=timestamp(at),
        connector_status_changed=device_model_pb2.ConnectorStatusChanged(
            evse_id=1, connector_id=connector_id, status=status, error_code="NoError", timestamp=timestamp(at)
        ),
    ).SerializeToString()


def command_event(kind: str, station_id: str, command_id: str = "cmd-1", at: datetime = T0) -> bytes:
    """A command event of `kind` (command_queued, _sent, _answered, _failed, _expired) as device-model's command
    relay publishes it: the command as it was then, no message id."""
    state = device_model_pb2.CommandState.Value("COMMAND_STATE_" + kind.removeprefix("command_").upper())
    command = device_model_pb2.Command(
        command_id=command_id,
        station_id=station_id,
        command="reset",
        params_json='{"type":"soft"}',
        state=state,
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
        request_json='[{"action":"Reset","payload":{"type":"OnIdle"}}]',
        created_at=timestamp(at),
        timeout_ms=30_000,
    )
    if kind == "command_answered":
        command.result_json = '{"status":"Accepted"}'
        command.response_json = '[[3,"m1",{"status":"Accepted"}]]'
        command.sent_at.CopyFrom(timestamp(at))
        command.finished_at.CopyFrom(timestamp(at))
    event = device_model_pb2.DeviceModelEvent(station_id=station_id, occurred_at=timestamp(at))
    getattr(event, kind).command.CopyFrom(command)
    return event.SerializeToString()


def transaction(
    kind: str, station_id: str, transaction_id: str = "tx-1", message_id: str = "m1", seq_no: int = 0, at: datetime = T0
) -> bytes:
    """A TransactionEvent of `kind`: started, updated, ended or meter_values_reported."""
    event = transactions_pb2.TransactionEvent(
        station_id=station_id,
        transaction_id=transaction_id,
        message_id=message_id,
        occurred_at=timestamp(at),
        ocpp_version=envelope_pb2.OCPP_VERSION_21,
        received_at=timestamp(at),
        seq_no=seq_no,
    )
    if kind == "started":
        event.started.CopyFrom(
            transactions_pb2.TransactionStarted(
                evse_id=1,
                connector_id=1,
                id_token=transactions_pb2.IdToken(id_token="04A1B2C3", type="ISO14443"),
                started_at=timestamp(at),
                meter_start_wh=1000.0,
                trigger_reason="Authorized",
            )
        )
    elif kind == "updated":
        event.updated.CopyFrom(
            transactions_pb2.TransactionUpdated(evse_id=1, connector_id=1, charging_state="Charging")
        )
    elif kind == "ended":
        event.ended.CopyFrom(
            transactions_pb2.TransactionEnded(evse_id=1, connector_id=1, ended_at=timestamp(at), stop_reason="Local")
        )
    else:
        event.meter_values_reported.CopyFrom(transactions_pb2.MeterValuesReported(evse_id=1, connector_id=1))
    return event.SerializeToString()


def connection(
    kind: envelope_pb2.Kind.ValueType, station_id: str, connection_id: str = "conn-1", at: datetime = T0
) -> tuple[bytes, Headers]:
    """A CONNECTED or DISCONNECTED envelope of the frame log, with its headers."""
    envelope = envelope_pb2.Envelope(
        station_id=station_id,
        tenant="default",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        direction=envelope_pb2.DIRECTION_STATION_TO_CSMS,
        kind=kind,
        edge_node_id="edge-1",
        connection_id=connection_id,
        received_at=timestamp(at),
        edge_address="127.0.0.1:50070",
        reason="closed by station" if kind == envelope_pb2.KIND_DISCONNECTED else "",
    )
    return envelope.SerializeToString(), envelope_headers(envelope)


def frame(station_id: str, message_id: str = "m1") -> tuple[bytes, Headers]:
    """An ordinary frame of the frame log (a Heartbeat CALL), with its headers."""
    envelope = frame_envelope(f'[2,"{message_id}","Heartbeat",{{}}]', station_id=station_id, message_id=message_id)
    return envelope.SerializeToString(), envelope_headers(envelope)
