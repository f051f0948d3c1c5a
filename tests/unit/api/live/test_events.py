"""What each source record becomes on the stream: type and JSON data, or nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms.firmware.v1 import firmware_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms.transactions.v1 import transactions_pb2
from csms_api.live.events import (
    DEVICE_MODEL_KINDS,
    FIRMWARE_KINDS,
    KNOWN_TYPES,
    SMART_CHARGING_KINDS,
    TRANSACTION_KINDS,
    LiveEvent,
    event_of,
)
from csms_kernel.infra import topics
from kit.builders import live_events as records
from kit.fakes.live_events import FakeRecord


def data_of(event: LiveEvent | None) -> dict[str, Any]:
    assert event is not None
    event_line, data_line, end = event.body.split(b"\n", 2)
    assert event_line == b"event: " + event.type.encode()
    assert end == b"\n"
    assert data_line.startswith(b"data: ")
    return json.loads(data_line.removeprefix(b"data: "))  # type: ignore[no-any-return]


def test_station_booted() -> None:
    event = event_of(topics.DEVICE_MODEL_EVENTS, FakeRecord(0, records.booted("CP-1", "b-1")))
    assert event is not None and (event.type, event.station_id) == ("station.booted", "CP-1")
    assert data_of(event) == {
        "station_id": "CP-1",
        "ocpp_version": "2.0.1",
        "message_id": "b-1",
        "occurred_at": "2026-01-01T00:00:00Z",
        "vendor": "ACME",
        "model": "Fast-1",
        "serial_number": "SN-1",
        "firmware_version": "1.2",
        "reason": "PowerUp",
        "registration_status": "Accepted",
    }


def test_station_event_reported() -> None:
    reported = device_model_pb2.StationEventReported(
        event_id=17,
        trigger="Alerting",
        actual_value="81.5",
        cleared=True,
        variable_monitoring_id=4,
        event_notification_type="CustomMonitor",
        target=device_model_pb2.MonitoredVariable(component="Connector", evse_id=1, variable="Temperature"),
    )
    value = device_model_pb2.DeviceModelEvent(
        station_id="CP-1",
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
        message_id="e-1",
        station_event_reported=reported,
    ).SerializeToString()
    event = event_of(topics.DEVICE_MODEL_EVENTS, FakeRecord(0, value))
    assert event is not None and (event.type, event.station_id) == ("station.event", "CP-1")
    data = data_of(event)
    assert {k: data[k] for k in ("station_id", "message_id", "event_id", "cleared", "variable_monitoring_id")} == {
        "station_id": "CP-1",
        "message_id": "e-1",
        "event_id": 17,
        "cleared": True,
        "variable_monitoring_id": 4,
    }
    assert data["target"] == {
        "component": "Connector",
        "component_instance": "",
        "evse_id": 1,
        "variable": "Temperature",
        "variable_instance": "",
    }
    assert "cause" not in data


def test_connector_status_changed() -> None:
    event = event_of(topics.DEVICE_MODEL_EVENTS, FakeRecord(0, records.status_changed("CP-1", "s-1", "Faulted", 2)))
    assert event is not None and event.type == "connector.status_changed"
    assert data_of(event) == {
        "station_id": "CP-1",
        "ocpp_version": "1.6",
        "message_id": "s-1",
        "occurred_at": "2026-01-01T00:00:00Z",
        "evse_id": 1,
        "connector_id": 2,
        "status": "Faulted",
        "error_code": "NoError",
        "timestamp": "2026-01-01T00:00:00Z",
    }


def test_transaction_started_has_the_common_and_its_own_fields() -> None:
    event = event_of(topics.TRANSACTIONS_EVENTS, FakeRecord(0, records.transaction("started", "CP-2", "tx-9", "t-1")))
    assert event is not None and (event.type, event.station_id) == ("transaction.started", "CP-2")
    assert data_of(event) == {
        "station_id": "CP-2",
        "transaction_id": "tx-9",
        "message_id": "t-1",
        "occurred_at": "2026-01-01T00:00:00Z",
        "ocpp_version": "2.1",
        "received_at": "2026-01-01T00:00:00Z",
        "seq_no": 0,
        "offline": False,
        "evse_id": 1,
        "connector_id": 1,
        "id_token": {"id_token": "04A1B2C3", "type": "ISO14443"},
        "started_at": "2026-01-01T00:00:00Z",
        "meter_start_wh": 1000.0,
        "trigger_reason": "Authorized",
        "charging_state": "",
        "meter_values": [],
    }


@pytest.mark.parametrize(("kind", "expected"), [("updated", "transaction.updated"), ("ended", "transaction.ended")])
def test_transaction_updated_and_ended(kind: str, expected: str) -> None:
    event = event_of(topics.TRANSACTIONS_EVENTS, FakeRecord(0, records.transaction(kind, "CP-2", seq_no=4)))
    assert event is not None and event.type == expected
    data = data_of(event)
    assert (data["transaction_id"], data["seq_no"], data["evse_id"]) == ("tx-1", 4, 1)
    assert kind not in data


def test_meter_values_outside_a_transaction_are_not_streamed() -> None:
    record = FakeRecord(0, records.transaction("meter_values_reported", "CP-2"))
    assert event_of(topics.TRANSACTIONS_EVENTS, record) is None


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(envelope_pb2.KIND_CONNECTED, "station.connected"), (envelope_pb2.KIND_DISCONNECTED, "station.disconnected")],
)
def test_connection_envelopes(kind: envelope_pb2.Kind.ValueType, expected: str) -> None:
    value, headers = records.connection(kind, "CP-3", "conn-7")
    event = event_of(topics.FRAMES, FakeRecord(0, value, tuple(headers)))
    assert event is not None and (event.type, event.station_id) == (expected, "CP-3")
    data = {
        "station_id": "CP-3",
        "occurred_at": "2026-01-01T00:00:00Z",
        "ocpp_version": "1.6",
        "edge_node_id": "edge-1",
        "connection_id": "conn-7",
    }
    if kind == envelope_pb2.KIND_DISCONNECTED:
        data["reason"] = "closed by station"
    assert data_of(event) == data


def test_frames_are_told_apart_by_header_without_decoding() -> None:
    _, headers = records.frame("CP-3")
    assert event_of(topics.FRAMES, FakeRecord(0, b"\xff not an envelope", tuple(headers))) is None
    assert event_of(topics.FRAMES, FakeRecord(0, b"\xff", ())) is None


def test_undecodable_events_are_skipped() -> None:
    assert event_of(topics.DEVICE_MODEL_EVENTS, FakeRecord(3, b"\xff\xff\xff")) is None
    assert event_of(topics.TRANSACTIONS_EVENTS, FakeRecord(3, None)) is None


def test_an_event_without_a_kind_is_not_streamed() -> None:
    value = device_model_pb2.DeviceModelEvent(station_id="CP-1").SerializeToString()
    assert event_of(topics.DEVICE_MODEL_EVENTS, FakeRecord(0, value)) is None


def test_a_report_part_carries_its_progress_not_its_variables() -> None:
    part = device_model_pb2.DeviceModelEvent(
        station_id="CP-1",
        ocpp_version=envelope_pb2.OCPP_VERSION_21,
        message_id="r-1",
        report_part_received=device_model_pb2.ReportPartReceived(
            request_id=42,
            seq_no=3,
            tbc=True,
            variables=[device_model_pb2.ReportedVariable(component="EVSE", variable="Power")] * 2,
        ),
    )
    part.occurred_at.FromJsonString("2026-01-01T00:00:00Z")
    part.report_part_received.generated_at.FromJsonString("2026-01-01T00:00:00Z")
    event = event_of(topics.DEVICE_MODEL_EVENTS, FakeRecord(0, part.SerializeToString()))
    assert event is not None and event.type == "report.part_received"
    assert data_of(event) == {
        "station_id": "CP-1",
        "ocpp_version": "2.1",
        "message_id": "r-1",
        "occurred_at": "2026-01-01T00:00:00Z",
        "request_id": 42,
        "seq_no": 3,
        "tbc": True,
        "generated_at": "2026-01-01T00:00:00Z",
        "variables": 2,
    }


def test_a_command_outcome_carries_the_command_as_the_rest_api_shows_it() -> None:
    value = records.command_event("command_answered", "CP-4", "cmd-7")
    event = event_of(topics.DEVICE_MODEL_EVENTS, FakeRecord(0, value))
    assert event is not None and (event.type, event.station_id) == ("command.answered", "CP-4")
    assert data_of(event) == {
        "station_id": "CP-4",
        "message_id": "",
        "occurred_at": "2026-01-01T00:00:00Z",
        "command_id": "cmd-7",
        "command": "reset",
        "state": "answered",
        "ocpp_version": "2.0.1",
        "params": {"type": "soft"},
        "request": [{"action": "Reset", "payload": {"type": "OnIdle"}}],
        "result": {"status": "Accepted"},
        "response": [[3, "m1", {"status": "Accepted"}]],
        "call_error": None,
        "failure": None,
        "created_at": "2026-01-01T00:00:00Z",
        "sent_at": "2026-01-01T00:00:00Z",
        "finished_at": "2026-01-01T00:00:00Z",
        "expires_at": None,
        "timeout": 30.0,
    }


@pytest.mark.parametrize("state", ["queued", "sent", "answered", "failed", "expired"])
def test_every_command_state_is_a_type(state: str) -> None:
    event = event_of(topics.DEVICE_MODEL_EVENTS, FakeRecord(0, records.command_event(f"command_{state}", "CP-4")))
    assert event is not None and event.type == f"command.{state}"
    assert data_of(event)["state"] == state


def test_known_types() -> None:
    assert KNOWN_TYPES == {
        "command.queued",
        "command.sent",
        "command.answered",
        "command.failed",
        "command.expired",
        "station.connected",
        "station.disconnected",
        "station.booted",
        "station.event",
        "connector.status_changed",
        "display_messages.reported",
        "data_transfer.received",
        "report.part_received",
        "transaction.started",
        "transaction.updated",
        "transaction.ended",
        "firmware.requested",
        "firmware.status_reported",
        "charging_profile.requested",
        "charging_profile.reported",
        *(
            f"firmware.campaign.{name}"
            for name in (
                "created",
                "wave_started",
                "attempt_started",
                "station_offline",
                "station_succeeded",
                "attempt_failed",
                "halted",
                "paused",
                "resumed",
                "aborted",
                "settings_changed",
                "completed",
            )
        ),
    }


@pytest.mark.parametrize(
    ("message", "kinds"),
    [
        (device_model_pb2.DeviceModelEvent, DEVICE_MODEL_KINDS),
        (transactions_pb2.TransactionEvent, TRANSACTION_KINDS),
        (firmware_pb2.FirmwareEvent, FIRMWARE_KINDS),
        (smart_charging_pb2.SmartChargingEvent, SMART_CHARGING_KINDS),
    ],
)
def test_no_kind_has_a_field_named_like_an_outer_field(message: Any, kinds: dict[str, Any]) -> None:
    """The data merges the outer fields and the kind's: a shared name would hide one of them."""
    descriptor = message.DESCRIPTOR
    outer = {field.name for field in descriptor.fields}
    for kind in kinds:
        inner = {field.name for field in descriptor.fields_by_name[kind].message_type.fields}
        assert not outer & inner, kind


def test_a_firmware_status_report() -> None:
    event = firmware_pb2.FirmwareEvent(
        event_id="e-1",
        station_id="CP-7",
        status_reported=firmware_pb2.StatusReported(
            kind=firmware_pb2.REPORT_KIND_FIRMWARE,
            action="FirmwareStatusNotification",
            status="Installing",
            has_request_id=True,
            ocpp_request_id=12,
            ocpp_version=envelope_pb2.OCPP_VERSION_201,
            message_id="m-1",
        ),
    )
    event.recorded_at.FromJsonString("2026-01-01T00:00:00Z")
    live = event_of(topics.FIRMWARE_EVENTS, FakeRecord(0, event.SerializeToString()))
    assert live is not None and (live.type, live.station_id) == ("firmware.status_reported", "CP-7")
    data = data_of(live)
    assert (data["station_id"], data["kind"], data["status"], data["ocpp_request_id"]) == (
        "CP-7",
        "REPORT_KIND_FIRMWARE",
        "Installing",
        12,
    )
    assert (data["ocpp_version"], data["recorded_at"]) == ("2.0.1", "2026-01-01T00:00:00Z")


def test_a_firmware_request() -> None:
    event = firmware_pb2.FirmwareEvent(
        event_id="e-2",
        station_id="CP-7",
        requested=firmware_pb2.FirmwareRequested(request_key="k", command="update-firmware", ocpp_request_id=3),
    )
    live = event_of(topics.FIRMWARE_EVENTS, FakeRecord(0, event.SerializeToString()))
    assert live is not None and live.type == "firmware.requested"
    assert (data_of(live)["request_key"], data_of(live)["command"]) == ("k", "update-firmware")


def test_a_charging_limit_reported() -> None:
    event = smart_charging_pb2.SmartChargingEvent(
        event_id="e-3",
        station_id="CP-7",
        reported=smart_charging_pb2.StationReported(
            action="NotifyChargingLimit",
            payload_json='{"evseId": 1}',
            evse_id=1,
            ocpp_version=envelope_pb2.OCPP_VERSION_201,
            message_id="m-3",
        ),
    )
    live = event_of(topics.SMART_CHARGING_EVENTS, FakeRecord(0, event.SerializeToString()))
    assert live is not None and (live.type, live.station_id) == ("charging_profile.reported", "CP-7")
    data = data_of(live)
    assert (data["action"], data["evse_id"], data["ocpp_version"]) == ("NotifyChargingLimit", 1, "2.0.1")


def test_campaign_events_stream_with_the_attempt_s_station_and_no_station_list() -> None:
    attempt = firmware_pb2.CampaignEvent(
        event_id="e-3",
        campaign_id="c1",
        attempt_failed=firmware_pb2.CampaignAttempt(station_id="CP-7", attempt=2, reason="DownloadFailed", final=True),
    )
    live = event_of(topics.FIRMWARE_CAMPAIGNS, FakeRecord(0, attempt.SerializeToString()))
    assert live is not None and (live.type, live.station_id) == ("firmware.campaign.attempt_failed", "CP-7")
    assert (data_of(live)["campaign_id"], data_of(live)["attempt"], data_of(live)["final"]) == ("c1", 2, True)
    created = firmware_pb2.CampaignEvent(
        event_id="e-4", campaign_id="c1", created=firmware_pb2.CampaignCreated(stations=["A", "B", "C"])
    )
    live = event_of(topics.FIRMWARE_CAMPAIGNS, FakeRecord(0, created.SerializeToString()))
    assert live is not None and (live.type, live.station_id) == ("firmware.campaign.created", "")
    assert (data_of(live)["stations"], data_of(live)["station_id"]) == (3, "")  # every event's data has station_id
    assert "firmware.campaign.halted" in KNOWN_TYPES
